from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("treatment", "0001_initial")]
    operations = [
        append_only(
            "treatment_historicalcourse",
            "treatment_historicaldoseorder",
            "treatment_historicalscheduledsession",
        )
    ]
