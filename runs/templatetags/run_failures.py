"""`{% run_items_explained items run as rows %}`: a run's items, each refused or failed one with
its failure in plain words (runs.services.wording). One query per list."""

from django import template

from runs.services.wording import reason_in_words, run_items_explain, stop_reason_in_words
from shopee.wording import failure_text_in_words

register = template.Library()


@register.simple_tag
def run_items_explained(items, run):
    return run_items_explain(run=run, items=list(items))


@register.filter
def failure_words(text):
    """`{{ entry.error|failure_words }}`: a failure kept as text (`str(ShopeeError)`, e.g. a
    shop the run could not read) in plain words."""
    return failure_text_in_words(str(text or ""))


@register.filter
def stop_reason_words(reason):
    """`{{ run.stop_reason|stop_reason_words }}`: the plain sentence for a technical stop
    reason, or "" when the reason is plain already."""
    return stop_reason_in_words(str(reason or ""))


@register.filter
def reason_words(reason):
    """`{{ item.reason|reason_words }}`: a skip reason in the staff's language."""
    return reason_in_words(str(reason or ""))
