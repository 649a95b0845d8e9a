from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [append_only("evaluations_historicalevaluation")]
