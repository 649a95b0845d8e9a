from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_consent_and_rems")]
    operations = [
        append_only("evaluations_historicalconsent", "evaluations_historicalremsenrolment")
    ]
