from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_order_quantity_check")]

    # Its own migration, so its own transaction: VALIDATE scans shop_order under
    # SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.
    operations = [
        migrations.RunSQL(
            "ALTER TABLE shop_order VALIDATE CONSTRAINT shop_order_quantity_gte_0",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
