from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_order_quantity")]

    # Django's AddConstraint would validate the CHECK against every row while it holds the
    # table's ACCESS EXCLUSIVE lock. The database gets the named constraint NOT VALID (new rows
    # only, no scan); Django's model state gets the same constraint; 0005 validates it.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE shop_order ADD CONSTRAINT shop_order_quantity_gte_0"
                    " CHECK (quantity >= 0) NOT VALID",
                    reverse_sql="ALTER TABLE shop_order DROP CONSTRAINT shop_order_quantity_gte_0",
                ),
            ],
            state_operations=[
                migrations.AddConstraint(
                    model_name="order",
                    constraint=models.CheckConstraint(check=models.Q(quantity__gte=0), name="shop_order_quantity_gte_0"),
                ),
            ],
        ),
    ]
