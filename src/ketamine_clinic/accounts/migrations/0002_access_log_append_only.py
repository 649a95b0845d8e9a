from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [append_only("accounts_accesslog")]
