from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("customer_ref", models.IntegerField()),
                ("status", models.CharField(max_length=20)),
                ("total", models.DecimalField(decimal_places=2, max_digits=12)),
            ],
        ),
    ]
