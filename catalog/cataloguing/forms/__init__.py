"""Forms of the cataloguing screens. They validate what a person typed and build the plain data
(`ParsedRecord`, item changes, a `LabelChoice`) that the services take."""

from catalog.cataloguing.forms.items import AddItemsForm, CoverForm, ItemForm, RupiahField
from catalog.cataloguing.forms.labels import LabelForm, Selection
from catalog.cataloguing.forms.records import (
    COMMON_LANGUAGES,
    CONTRIBUTOR_PREFIX,
    ContributorRowForm,
    RecordForm,
    contributor_formset,
    contributor_row,
    split_dates,
)

__all__ = [
    "COMMON_LANGUAGES",
    "CONTRIBUTOR_PREFIX",
    "AddItemsForm",
    "ContributorRowForm",
    "CoverForm",
    "ItemForm",
    "LabelForm",
    "RecordForm",
    "RupiahField",
    "Selection",
    "contributor_formset",
    "contributor_row",
    "split_dates",
]
