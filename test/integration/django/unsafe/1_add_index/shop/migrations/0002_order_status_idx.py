# Unsafe first draft: AddIndex in an atomic migration is a plain CREATE INDEX, which blocks
# writes on shop_order for the whole build.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["status"], name="shop_order_status_idx"),
        ),
    ]
