"""Staff navigation links of this part of the catalogue (registered from CatalogConfig.ready)."""


def register_links() -> None:
    pass
