from django.db import models


class Order(models.Model):
    customer_ref = models.IntegerField()
    status = models.CharField(max_length=20)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.IntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["status"], name="shop_order_status_idx")]
        constraints = [
            models.CheckConstraint(check=models.Q(quantity__gte=0), name="shop_order_quantity_gte_0"),
        ]
