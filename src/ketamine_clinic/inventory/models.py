"""The controlled-substance ledger: the clinic's registration, its products, each container
with its running balance, and the append-only transactions that move it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.clinical.ledger import KINDS


class Registration(models.Model):
    """The clinic location's DEA registration (21 CFR 1304.04: records per location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="registration"
    )
    dea_number = models.CharField(max_length=9)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=500)
    exact_counts = models.BooleanField(
        default=False,
        help_text="The state requires exact counts of opened containers (no estimates)",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.name} ({self.dea_number})"


class Product(models.Model):
    class Substance(models.TextChoices):
        KETAMINE = "ketamine", "Ketamine (racemic)"
        ESKETAMINE = "esketamine", "Esketamine"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    ndc = models.CharField(max_length=20)
    substance = models.CharField(max_length=20, choices=Substance.choices)
    form = models.CharField(max_length=100, help_text="e.g. vial, 10 mL; nasal device kit")
    concentration_mg_per_ml = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True
    )
    container_mg = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="What one container holds, in mg"
    )
    schedule = models.CharField(max_length=5, default="III")
    rxnorm = models.CharField(
        "RxNorm code (RxCUI)",
        max_length=12,
        blank=True,
        help_text="The clinical drug's RxCUI, for its strength and form (RxNav, or the "
        "label's SPL): e.g. 238083 for ketamine 100 mg/mL injectable solution",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "ndc"], name="one_product_per_ndc")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ndc})"


class Container(models.Model):
    """One vial or device kit. Its balance moves only with a transaction, in one conditional
    update, so two nurses drawing from it at once cannot both be booked against the same
    balance."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="containers")
    label = models.CharField(max_length=40, help_text="What is written on the container")
    lot = models.CharField(max_length=60)
    expires_on = models.DateField()
    received_at = models.DateTimeField()
    supplier_name = models.CharField(max_length=200)
    supplier_address = models.CharField(max_length=500)
    supplier_dea = models.CharField(max_length=9)
    invoice = models.CharField(max_length=100)
    balance_mg = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["expires_on", "label"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "label"], name="container_label_once"),
            models.CheckConstraint(
                condition=models.Q(balance_mg__gte=0), name="container_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.product.name}, lot {self.lot})"


class LedgerTransaction(models.Model):
    """One movement, never changed or deleted (the table refuses UPDATE): a correction is a
    new transaction naming the one it corrects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=12, choices=[(k, k.capitalize()) for k in KINDS])
    event_at = models.DateTimeField(help_text="When it happened")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    quantity_mg = models.DecimalField(max_digits=10, decimal_places=2)
    entered_quantity = models.CharField(max_length=40, help_text="As entered, e.g. 3.5 mL")
    balance_before_mg = models.DecimalField(max_digits=10, decimal_places=2)
    balance_after_mg = models.DecimalField(max_digits=10, decimal_places=2)
    performer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        "treatment_sessions.TreatmentSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.ForeignKey(
        "treatment.DoseOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    administration = models.ForeignKey(
        "treatment_sessions.Administration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
        help_text="The dose at the chair this administration books (they commit together)",
    )
    reason = models.CharField(max_length=1000, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    # A ForeignKey, not one-to-one: adding a unique column makes SQLite rebuild the table,
    # which would drop its append-only trigger.
    counterpart = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A receipt from another of our locations: the transfer out it books",
    )

    class Meta:
        ordering = ["event_at", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity_mg} mg from {self.container_id}"


class Count(models.Model):
    """A physical inventory: what was counted in each container, against the ledger then."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial inventory"
        BIENNIAL = "biennial", "Biennial inventory"
        AD_HOC = "ad_hoc", "Ad hoc count"

    class TimeOfDay(models.TextChoices):
        OPENING = "opening", "Opening of business"
        CLOSE = "close", "Close of business"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    time_of_day = models.CharField(max_length=10, choices=TimeOfDay.choices)
    taken_at = models.DateTimeField()
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True)
    shortfall_mg = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.kind} count {self.taken_at:%Y-%m-%d}"


class CountLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    expected_mg = models.DecimalField(max_digits=10, decimal_places=2)
    counted_mg = models.DecimalField(max_digits=10, decimal_places=2)
    estimated = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.container_id}: {self.counted_mg} of {self.expected_mg} mg"


class LossReport(models.Model):
    """A theft or significant loss and its DEA deadlines, tracked until both are met."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    count = models.ForeignKey(Count, null=True, blank=True, on_delete=models.PROTECT)
    discovered_on = models.DateField()
    quantity_mg = models.DecimalField(max_digits=10, decimal_places=2)
    description = models.CharField(max_length=2000)
    notice_due = models.DateField()
    notice_sent_on = models.DateField(null=True, blank=True)
    form_106_due = models.DateField()
    form_106_filed_on = models.DateField(null=True, blank=True)
    form_106_reference = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-discovered_on"]

    def __str__(self) -> str:
        return f"loss of {self.quantity_mg} mg discovered {self.discovered_on}"
