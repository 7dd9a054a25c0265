# Unsafe first draft: PositiveIntegerField makes Django write an unnamed CHECK ("quantity" >= 0)
# into the column definition; PostgreSQL then makes up its name.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_order_status_idx")]

    operations = [
        migrations.AddField(model_name="order", name="quantity", field=models.PositiveIntegerField(default=1)),
    ]
