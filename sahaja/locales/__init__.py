"""Translation catalogs (TOML), read by sahaja.i18n."""
