"""Form spec -> the standard Excel workbook (xlsxwriter)."""

from toolkit.template.writer import TemplateOptions, write_template

__all__ = ["TemplateOptions", "write_template"]
