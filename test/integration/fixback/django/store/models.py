from django.db import models


class Author(models.Model):
    name = models.TextField()


class Book(models.Model):
    title = models.TextField()
    author = models.ForeignKey(Author, null=True, on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["title"], name="store_book_title_idx")]
        constraints = [models.CheckConstraint(check=~models.Q(title=""), name="store_book_title_not_empty")]
