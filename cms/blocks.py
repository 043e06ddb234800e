"""StreamField blocks shared by the public pages: headings, paragraphs and calls to action."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

# Plain-language pages read best with few formatting options: no images inline,
# no headings inside paragraphs (the heading block gives the outline).
PARAGRAPH_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]
SAFE_URL_PREFIXES = ("/", "https://", "http://")


class HeadingBlock(blocks.CharBlock):
    """A section heading; rendered as <h2> so the page outline stays under the page title."""

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading.html"
        form_classname = "title"


class CallToActionBlock(blocks.StructBlock):
    """A short invitation with one button, to a page of this site or to an address."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.CharBlock(
        label=_("Address"),
        required=False,
        max_length=300,
        help_text=_("Used when no page is chosen: a path on this site such as /providers/."),
    )

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        url = value.get("url", "").strip()
        if not value.get("page") and not url:
            message = _("Choose a page or enter an address for the button.")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "url": ValidationError(message)}
            )
        # Only site paths and web addresses: never "javascript:" or other schemes.
        if url and not url.startswith(SAFE_URL_PREFIXES):
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        _("Enter a path starting with / or an address starting with https://.")
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = value.get("page")
        # A chosen page follows the reader's language when it has a translation.
        context["href"] = page.localized.url if page else value.get("url")
        return context


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=PARAGRAPH_FEATURES, template="cms/blocks/paragraph.html"
    )
    call_to_action = CallToActionBlock()
