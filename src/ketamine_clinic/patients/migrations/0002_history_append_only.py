from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [
        append_only(
            "patients_historicalpatient",
            "patients_historicalbodymeasurement",
            "patients_historicalallergy",
            "patients_historicalmedication",
            "patients_historicaldiagnosis",
            "patients_historicaltreatmenttrial",
        )
    ]
