"""Where other apps add to the network's pages without the network importing them.

Dependencies point one way (pantry <- kitchen <- volunteers), so the transfer
page offers one slot through commonpot.registry (`registry.add_slot(name, fill)`):

- "transfer": called once on a transfer's page as `panel(request, transfer)`,
  where `transfer` is a pantry.network.models.Transfer (its sites are
  `transfer.source` and `transfer.destination`). It returns (template, context)
  or None; the template is rendered in the page's "Driver" section, for
  example the driver shifts the volunteers app links to the transfer.

See docs/network.md, "For other apps".
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from commonpot.registry import registry
from pantry.network.models import Transfer

TRANSFER = "transfer"


def transfer_panels(request: HttpRequest, transfer: Transfer) -> list[SafeString]:
    html = []
    for panel in registry.fillers(TRANSFER):
        result = panel(request, transfer)
        if result is not None:
            template, context = result
            html.append(mark_safe(render_to_string(template, context, request=request)))  # noqa: S308
    return html
