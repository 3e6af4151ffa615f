"""ORM001 / ORM002 through serializers as projects write them: related field classes of
the project given ``many=True``, a nested serializer whose ``source`` is a property,
``ListSerializer(child=...)``, serializer bases imported under another name, and a
``SerializerMethodField`` that serializes a relation of the row with a serializer of its
own. Each is read the way Django REST framework runs it; where the project's code could
read anything, nothing is reported."""

import textwrap

import pytest

from harness import check, fix, make_project, marked_rows, rows

CATALOG = '''
from django.db import models
from django.utils.functional import cached_property


class Author(models.Model):
    name = models.CharField(max_length=100)


class Label(models.Model):
    name = models.CharField(max_length=50)
    author = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL)


class Shelf(models.Model):
    name = models.CharField(max_length=50)
    keeper = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="shelves")
    labels = models.ManyToManyField(Label, related_name="shelves")

    @property
    def all_books(self):
        return self.books.all()

    @property
    def book_manager(self):
        return self.books

    @cached_property
    def owner(self):
        return self.keeper

    @property
    def recent_books(self):
        return self.books.filter(year__gte=2000)

    @property
    def first_book(self):
        return self.books.first()

    @property
    def either_books(self):
        if self.name:
            return self.books.all()
        return []


class Book(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="books")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=100)
    year = models.IntegerField(default=2000)
'''

#: A module that hands DRF's base on under another name, as projects' ``api/base.py`` do.
BASE = '''
from rest_framework.serializers import ModelSerializer as ApiSerializer
from rest_framework import serializers

ApiField = serializers.RelatedField
'''

SERIALIZERS = '''
from rest_framework import serializers
from rest_framework.relations import RelatedField

from shop.base import ApiField, ApiSerializer
from shop.catalog import Author, Book, Label, Shelf


class LabelNameField(serializers.RelatedField):
    def to_representation(self, value):
        return value.name


class LabelAuthorField(RelatedField):
    def to_representation(self, value):
        return f"{value.name} by {value.author.name}"


class LabelKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key field of the project: the key of each label."""


class ImportedLabelAuthorField(ApiField):
    def to_representation(self, value):
        return value.author.name


class BookKeysField(serializers.ManyRelatedField):
    """A many-related field of the project, as DRF's own reads it."""


class OwnManyInitField(serializers.RelatedField):
    @classmethod
    def many_init(cls, *args, **kwargs):
        return serializers.ListField(child=serializers.CharField(), **kwargs)

    def to_representation(self, value):
        return value.name


class OwnAttributeManyField(serializers.ManyRelatedField):
    def get_attribute(self, instance):
        return instance.labels.values_list("name", flat=True)


class SlugUrlField(serializers.HyperlinkedIdentityField):
    def get_url(self, obj, view_name, request, format):
        return f"/{obj.author.name}/{obj.name}"


class ElsewhereField(UnknownRelatedField):
    def to_representation(self, value):
        return value.author.name


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name"]


class BookSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()

    class Meta:
        model = Book
        fields = ["id", "title", "author"]


class LabelUrlsSerializer(serializers.ModelSerializer):
    labels = serializers.HyperlinkedIdentityField(view_name="label-detail", many=True)

    class Meta:
        model = Shelf
        fields = ["id", "labels"]


class KeeperSerializer(ApiSerializer):
    shelves = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Author
        fields = ["id", "name", "shelves"]


class ShelfKeeperSerializer(ApiSerializer):
    keeper = KeeperSerializer()

    class Meta:
        model = Shelf
        fields = ["id", "keeper"]


class LabelNamesSerializer(serializers.ModelSerializer):
    labels = LabelNameField(many=True, read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "labels"]


class LabelAuthorsSerializer(serializers.ModelSerializer):
    labels = LabelAuthorField(many=True, read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "labels"]


class LabelKeysSerializer(serializers.ModelSerializer):
    labels = LabelKeyField(many=True, read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "labels"]


class ImportedFieldSerializer(serializers.ModelSerializer):
    labels = ImportedLabelAuthorField(many=True, read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "labels"]


class BookKeysSerializer(serializers.ModelSerializer):
    books = BookKeysField(child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "books"]


class PropertyBooksSerializer(serializers.ModelSerializer):
    books = BookSerializer(source="all_books", many=True)

    class Meta:
        model = Shelf
        fields = ["id", "books"]


class ManagerPropertySerializer(serializers.ModelSerializer):
    books = BookSerializer(source="book_manager", many=True)

    class Meta:
        model = Shelf
        fields = ["id", "books"]


class OwnerSerializer(serializers.ModelSerializer):
    owner = AuthorSerializer(source="owner")

    class Meta:
        model = Shelf
        fields = ["id", "owner"]


class ListedBooksSerializer(serializers.ModelSerializer):
    books = serializers.ListSerializer(child=BookSerializer())

    class Meta:
        model = Shelf
        fields = ["id", "books"]


class MethodBooksSerializer(serializers.ModelSerializer):
    books = serializers.SerializerMethodField()

    class Meta:
        model = Shelf
        fields = ["id", "books"]

    def get_books(self, shelf):
        return BookSerializer(shelf.books.all(), many=True, context=self.context).data


class MethodKeeperSerializer(serializers.ModelSerializer):
    keeper = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "keeper"]

    def get_keeper(self, book):
        return ShelfKeeperSerializer(book.shelf).data


class UnreadableFieldsSerializer(serializers.ModelSerializer):
    own_many = OwnManyInitField(many=True, source="labels", read_only=True)
    own_attribute = OwnAttributeManyField(child_relation=LabelNameField(), source="labels", read_only=True)
    elsewhere = ElsewhereField(many=True, source="labels", read_only=True)
    own_url = SlugUrlField(view_name="label-detail", many=True, source="labels")

    class Meta:
        model = Shelf
        fields = ["id", "own_many", "own_attribute", "elsewhere", "own_url"]


class FilteredPropertySerializer(serializers.ModelSerializer):
    recent = BookSerializer(source="recent_books", many=True)
    first = BookSerializer(source="first_book")
    either = BookSerializer(source="either_books", many=True)

    class Meta:
        model = Shelf
        fields = ["id", "recent", "first", "either"]


class MethodFilteredBooksSerializer(serializers.ModelSerializer):
    books = serializers.SerializerMethodField()

    class Meta:
        model = Shelf
        fields = ["id", "books"]

    def get_books(self, shelf):
        return BookSerializer(shelf.books.filter(year__gte=2000), many=True).data


class ListedUnknownChildSerializer(serializers.ModelSerializer):
    books = serializers.ListSerializer(child=ElsewhereSerializer())

    class Meta:
        model = Shelf
        fields = ["id", "books"]


class ManyDecidedElsewhereSerializer(serializers.ModelSerializer):
    labels = LabelNameField(many=MANY_LABELS, read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "labels"]
'''


def diagnostics(tmp_path, code, select="ORM0"):
    make_project(tmp_path, {"shop/catalog.py": CATALOG, "shop/base.py": BASE, "shop/serializers.py": SERIALIZERS})
    return check(tmp_path, code, select, name="shop/api.py")


def view(queryset, serializer, mark=""):
    return f"""
    from rest_framework import generics
    from shop import serializers
    from shop.catalog import Book, Shelf

    class TheView(generics.ListAPIView):
        queryset = {queryset}{mark}
        serializer_class = serializers.{serializer}
    """


FIRES = [
    pytest.param(view("Shelf.objects.all()", "LabelNamesSerializer", "  # error: ORM002"), id="project-related-field-many"),
    pytest.param(
        view("Shelf.objects.all()", "LabelAuthorsSerializer", "  # error: ORM002"), id="project-related-field-many-reads-each-item",
    ),
    pytest.param(view("Shelf.objects.all()", "LabelKeysSerializer", "  # error: ORM002"), id="project-primary-key-field-many"),
    pytest.param(
        view("Shelf.objects.all()", "ImportedFieldSerializer", "  # error: ORM002"), id="project-field-on-a-base-imported-by-another-name",
    ),
    pytest.param(view("Shelf.objects.all()", "BookKeysSerializer", "  # error: ORM002"), id="project-many-related-field"),
    pytest.param(view("Shelf.objects.all()", "LabelUrlsSerializer", "  # error: ORM002"), id="identity-field-many-is-a-many-related-field"),
    pytest.param(view("Shelf.objects.all()", "PropertyBooksSerializer", "  # error: ORM002"), id="nested-many-from-a-property"),
    pytest.param(
        view("Shelf.objects.all()", "ManagerPropertySerializer", "  # error: ORM002"), id="nested-many-from-a-property-returning-the-manager",
    ),
    pytest.param(view("Shelf.objects.all()", "OwnerSerializer", "  # error: ORM001"), id="nested-one-from-a-cached-property"),
    pytest.param(view("Shelf.objects.all()", "ListedBooksSerializer", "  # error: ORM002"), id="list-serializer-child"),
    pytest.param(view("Shelf.objects.all()", "MethodBooksSerializer", "  # error: ORM002"), id="method-field-serializes-a-relation"),
    pytest.param(
        view("Book.objects.all()", "MethodKeeperSerializer", "  # error: ORM001, ORM002"), id="method-field-serializes-one-row",
    ),
    pytest.param(view("Shelf.objects.all()", "ShelfKeeperSerializer", "  # error: ORM001, ORM002"), id="serializer-base-imported-by-another-name"),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(view("Shelf.objects.prefetch_related('labels')", "LabelNamesSerializer"), id="project-related-field-prefetched"),
    pytest.param(view("Shelf.objects.prefetch_related('labels__author')", "LabelAuthorsSerializer"), id="items-read-prefetched"),
    pytest.param(view("Shelf.objects.prefetch_related('books')", "BookKeysSerializer"), id="many-related-field-prefetched"),
    pytest.param(view("Shelf.objects.prefetch_related('books__author')", "PropertyBooksSerializer"), id="property-relation-prefetched"),
    pytest.param(view("Shelf.objects.select_related('keeper')", "OwnerSerializer"), id="property-foreign-key-joined"),
    pytest.param(view("Shelf.objects.prefetch_related('books__author')", "ListedBooksSerializer"), id="list-serializer-prefetched"),
    pytest.param(view("Shelf.objects.prefetch_related('books__author')", "MethodBooksSerializer"), id="method-field-prefetched"),
    pytest.param(
        view("Book.objects.select_related('shelf__keeper').prefetch_related('shelf__keeper__shelves')", "MethodKeeperSerializer"),
        id="method-field-one-row-loaded",
    ),
    pytest.param(
        view("Shelf.objects.select_related('keeper').prefetch_related('keeper__shelves')", "ShelfKeeperSerializer"),
        id="imported-base-loaded",
    ),
    pytest.param(view("Shelf.objects.all()", "UnreadableFieldsSerializer"), id="own-many-init-own-get-attribute-own-url-unknown-base"),
    pytest.param(view("Shelf.objects.all()", "FilteredPropertySerializer"), id="property-filter-first-or-branches"),
    pytest.param(view("Shelf.objects.all()", "MethodFilteredBooksSerializer"), id="method-field-filtered-queryset"),
    pytest.param(view("Shelf.objects.all()", "ListedUnknownChildSerializer"), id="list-serializer-unknown-child"),
    pytest.param(view("Shelf.objects.all()", "ManyDecidedElsewhereSerializer"), id="many-not-a-constant"),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


FIXES = [
    pytest.param("Shelf.objects.all()", "LabelAuthorsSerializer", '.prefetch_related("labels__author")', id="each-item-read"),
    pytest.param("Shelf.objects.all()", "PropertyBooksSerializer", '.prefetch_related("books__author")', id="the-relation-a-property-returns"),
    pytest.param("Shelf.objects.all()", "OwnerSerializer", '.select_related("keeper")', id="the-key-a-property-returns"),
    pytest.param("Shelf.objects.all()", "ListedBooksSerializer", '.prefetch_related("books__author")', id="list-serializer-child"),
    pytest.param("Shelf.objects.all()", "MethodBooksSerializer", '.prefetch_related("books__author")', id="method-field-serializer"),
    pytest.param(
        "Book.objects.all()",
        "MethodKeeperSerializer",
        '.select_related("shelf__keeper").prefetch_related("shelf__keeper__shelves")',
        id="method-field-serializer-of-one-row",
    ),
]


@pytest.mark.parametrize("queryset, serializer, loads", FIXES)
def test_fix_loads_what_the_serializer_reads_below_the_relation(tmp_path, queryset, serializer, loads):
    make_project(tmp_path, {"shop/catalog.py": CATALOG, "shop/base.py": BASE, "shop/serializers.py": SERIALIZERS})
    fixed = fix(tmp_path, textwrap.dedent(view(queryset, serializer)), "ORM0", name="shop/api.py")
    assert fixed == textwrap.dedent(view(queryset + loads, serializer))


def test_message_names_the_field_that_reads_through_a_property(tmp_path):
    (found,) = diagnostics(tmp_path, view("Shelf.objects.all()", "PropertyBooksSerializer"))
    assert found.message == (
        "`TheView` serializes every row with `PropertyBooksSerializer`, which reads `books.author` (field `books`): "
        "1 query per row; load with `.prefetch_related('books__author')`"
    )


def test_an_explicit_serializer_call_reads_the_same(tmp_path):
    code = """
    from shop.catalog import Shelf
    from shop.serializers import LabelAuthorsSerializer, UnreadableFieldsSerializer

    def labels():
        return LabelAuthorsSerializer(Shelf.objects.all(), many=True).data  # error: ORM002

    def unreadable():
        return UnreadableFieldsSerializer(Shelf.objects.all(), many=True).data
    """
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))
