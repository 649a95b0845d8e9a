"""Doses as a clinician writes them: 0.5 mg/kg, not 0.500; 1 mg/kg, not 1.000."""

from __future__ import annotations

from django import template

from ketamine_clinic.common import formats
from ketamine_clinic.evaluations.consent.models import PRODUCTS

register = template.Library()


register.filter("dose", formats.dose)


@register.filter
def product_label(product: str) -> str:
    """iv_racemic -> IV racemic ketamine, as the consent documents name it."""
    return dict(PRODUCTS).get(product, product)
