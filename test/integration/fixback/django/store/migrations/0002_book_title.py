# As first written: the guard refuses it on a large store_book table. test/integration/fixback/run.sh
# puts migration_guard.fix()'s safe form of its SQL in its place (docs/advisor.md).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0001_initial")]

    operations = [
        migrations.AlterField(model_name="book", name="title", field=models.TextField()),
        migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="store_book_title_idx")),
        migrations.AddConstraint(
            model_name="book",
            constraint=models.CheckConstraint(check=~models.Q(title=""), name="store_book_title_not_empty"),
        ),
    ]
