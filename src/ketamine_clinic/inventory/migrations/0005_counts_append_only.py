from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_counts_and_losses")]
    operations = [
        append_only("inventory_count", "inventory_countline", "inventory_historicallossreport")
    ]
