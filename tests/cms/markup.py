"""A small reader of rendered HTML for tests: elements in document order with their attributes."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

FOCUSABLE_TAGS = {"a", "button", "input", "select", "textarea", "summary"}


@dataclass
class Element:
    tag: str
    attrs: dict = field(default_factory=dict)
    text: str = ""

    def is_focusable(self) -> bool:
        if self.tag not in FOCUSABLE_TAGS or "hidden" in self.attrs:
            return False
        if self.tag == "a" and "href" not in self.attrs:
            return False
        if self.tag == "input" and self.attrs.get("type") == "hidden":
            return False
        return self.attrs.get("tabindex") != "-1"


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in {"meta", "link", "input", "br", "img", "hr"}:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data


def read(html: str | bytes) -> list[Element]:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.elements


def find_all(elements: list[Element], tag: str) -> list[Element]:
    return [element for element in elements if element.tag == tag]


def text_of(elements: list[Element], tag: str) -> str:
    return " ".join(find_all(elements, tag)[0].text.split())
