// The front desk's calendar: EventCalendar (vendored) drawn by chair and room or by person,
// fed by /calendar/events/; a drag moves an appointment through /calendar/appointments/<id>/drop/
// and is put back with the reason when the clinic's rules refuse it.
(function () {
  "use strict";
  function start() {
    const element = document.getElementById("kc-calendar");
    const source = document.getElementById("kc-calendar-config");
    if (!element || !source || !window.EventCalendar) return;
    const config = JSON.parse(source.textContent);
    const errorBox = document.getElementById("kc-calendar-error");
    const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    let by = "place";

    function showError(text) {
      errorBox.textContent = text;
      errorBox.classList.toggle("d-none", !text);
    }

    const calendar = EventCalendar.create(element, {
      view: "resourceTimeGridDay",
      date: config.day,
      headerToolbar: {start: "", center: "title", end: ""},
      eventBackgroundColor: "#0a58ca",
      slotLabelFormat: {hour: "2-digit", minute: "2-digit", hour12: false},
      eventTimeFormat: {hour: "2-digit", minute: "2-digit", hour12: false},
      resources: config.places,
      slotMinTime: "07:00:00",
      slotMaxTime: "20:00:00",
      slotDuration: "00:15:00",
      scrollTime: "08:00:00",
      allDaySlot: false,
      nowIndicator: true,
      editable: true,
      eventDurationEditable: false,
      eventSources: [{
        url: config.events,
        extraParams: function () { return {by: by}; },
      }],
      viewDidMount: plainRoles,
      eventAllUpdated: plainRoles,
      eventClick: function (info) {
        window.location.href = info.event.extendedProps.url;
      },
      dateClick: function (info) {
        const params = new URLSearchParams({start: toLocal(info.date)});
        if (by === "place" && info.resource) params.set("place", info.resource.id);
        window.location.href = config.book + "?" + params.toString();
      },
      eventDrop: function (info) {
        showError("");
        const body = {start: toLocal(info.event.start), version: info.event.extendedProps.version};
        if (by === "place" && info.newResource) body.place = info.newResource.id;
        fetch(info.event.extendedProps.url + "drop/", {
          method: "POST",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
          body: JSON.stringify(body),
          credentials: "same-origin",
        }).then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok || !answer.moved) {
              info.revert();
              showError("Not moved: " + (answer.error || "refused"));
            } else {
              calendar.refetchEvents();
            }
          });
        }).catch(function () {
          info.revert();
          showError("Not moved: the clinic's server could not be reached.");
        });
      },
    });

    // The calendar's dates are the clinic's clock, sent back as they are shown.
    function toLocal(date) {
      const pad = function (n) { return String(n).padStart(2, "0"); };
      return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
        "T" + pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":00";
    }

    // The grid is drawn for the eye; the list under it is the same day for screen readers
    // and the keyboard. Table roles the drawing cannot honour are taken off it.
    function plainRoles() {
      element.querySelectorAll("[role=table], [role=rowgroup], [role=row], [role=columnheader], [role=cell], [role=rowheader]")
        .forEach(function (node) { node.removeAttribute("role"); });
      element.querySelectorAll("[aria-colindex], [aria-rowindex]").forEach(function (node) {
        node.removeAttribute("aria-colindex");
        node.removeAttribute("aria-rowindex");
      });
    }

    document.querySelectorAll("[data-kc-calendar]").forEach(function (button) {
      button.addEventListener("click", function () {
        const what = button.getAttribute("data-kc-calendar");
        if (what === "prev") calendar.prev();
        else if (what === "next") calendar.next();
        else if (what === "today") calendar.setOption("date", new Date());
        else calendar.setOption("view", what);
      });
    });

    document.querySelectorAll("input[name=kc-by]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        by = radio.value;
        calendar.setOption("resources", by === "person" ? config.people : config.places);
        calendar.refetchEvents();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
