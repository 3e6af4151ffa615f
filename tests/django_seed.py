"""The rows every database proof of the Django fixture project starts from.

Imported by the proofs' runner scripts (which run inside a copy of the fixture project,
with this folder on ``PYTHONPATH``), so that the N+1, admin, DRF and template proofs seed
the same store: customers with a profile, two addresses and a shipment; products with
tags; per customer two orders with two lines each; one catalogue of every product.
"""


def seed(rows: int, orders_without_creator: bool = False) -> None:
    """With ``orders_without_creator``, each customer's second order has no creator, so
    that the nullable ``created_by`` holds both (the admin proof needs it; code that
    reads ``order.created_by.username`` does not expect it)."""
    from django.contrib.auth import get_user_model

    from store.models import Address, Catalogue, Customer, Order, OrderLine, Product, Profile, Shipment, Tag

    tags = [Tag.objects.create(name="tag%03d" % i) for i in range(rows)]
    products = []
    for i in range(rows):
        product = Product.objects.create(name="product%03d" % i)
        product.tags.set([tags[i], tags[(i + 1) % rows]])
        products.append(product)
    Catalogue.objects.create(name="everything").products.set(products)
    for i in range(rows):
        user = get_user_model().objects.create(username="user%03d" % i)
        customer = Customer.objects.create(name="customer%03d" % i)
        Profile.objects.create(customer=customer, bio="bio %d" % i)
        Address.objects.create(customer=customer, city="city%03d-b" % i)
        Address.objects.create(customer=customer, city="city%03d-a" % i)
        Shipment.objects.create(customer=customer, carrier="carrier%d" % (i % 3))
        for j, creator in enumerate((user, None if orders_without_creator else user)):
            order = Order.objects.create(
                customer=customer, created_by=creator, status=("open", "closed")[j], total=10 * i + j
            )
            OrderLine.objects.create(order=order, product=products[i], quantity=j + 1)
            OrderLine.objects.create(order=order, product=products[(i + 1) % rows], quantity=j + 3)
