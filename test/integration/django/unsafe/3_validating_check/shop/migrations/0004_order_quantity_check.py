# Unsafe first draft: a named constraint, but Django's AddConstraint validates it against every
# row while ALTER TABLE holds the table's ACCESS EXCLUSIVE lock.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_order_quantity")]

    operations = [
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(check=models.Q(quantity__gte=0), name="shop_order_quantity_gte_0"),
        ),
    ]
