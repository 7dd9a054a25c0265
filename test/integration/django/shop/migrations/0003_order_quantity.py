from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_order_status_idx")]

    # A plain IntegerField: no constraint in the column definition. The rule that quantity is
    # not negative comes as a named constraint in 0004.
    operations = [
        migrations.AddField(model_name="order", name="quantity", field=models.IntegerField(default=1)),
    ]
