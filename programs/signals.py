"""Guards under every path: a rule that no save, however it is made, may pass."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import ContestEntry, validate_contest_authors


@receiver(m2m_changed, sender=ContestEntry.authors.through)
def refuse_a_third_author(sender, instance, action, reverse, pk_set, **kwargs):
    """Tainan 101 4 (at most 2 credited people per work) also for code that adds authors
    directly (`entry.authors.add(...)`): raises ValidationError before the rows are written.
    Forms and imports check first and say which row or field is wrong; this is the last net."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # employee.contest_entries.add(entry, ...): each entry gains one author
        for entry in ContestEntry.objects.filter(pk__in=pk_set):
            validate_contest_authors([*entry.authors.values_list("pk", flat=True), instance.pk])
        return
    current = set(instance.authors.values_list("pk", flat=True))
    validate_contest_authors(current | set(pk_set))
