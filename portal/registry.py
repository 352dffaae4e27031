"""What the apps add to the base, registered from their `AppConfig.ready()`.

The base (`portal` without its URLs and demo) imports no app. An app that brings an import
kind, a generated document or a panel on the home page registers it here, as pretix's
plugins register exporters: the base lists what was registered and never names app code.
This module imports nothing of the portal, so every module of the base may read it.
"""

from collections.abc import Callable

# kind -> (importer class, label), in the order the apps registered them.
IMPORTERS: dict[str, tuple[type, object]] = {}
# kind -> (builder(document, progress) -> (PDF bytes, download file name), label)
DOCUMENT_KINDS: dict[str, tuple[Callable, object]] = {}
# Each provider(user) returns context for the home page (e.g. {"plans": ...}).
HOME_PANELS: list[Callable] = []


def register_importer(kind: str, importer: type, label) -> None:
    """Add an import kind: its `portal.imports.base.Importer` subclass and the label HR reads."""
    IMPORTERS[kind] = (importer, label)


def importer_class(kind: str) -> type:
    """The importer class of `kind`; LookupError for a kind no app registered."""
    try:
        importer, _label = IMPORTERS[kind]
    except KeyError:
        raise LookupError(kind) from None
    return importer


def kind_label(kind: str) -> str:
    """The label HR reads for an import kind (the kind itself when unknown)."""
    entry = IMPORTERS.get(kind)
    return str(entry[1]) if entry else kind


def register_document(kind: str, builder: Callable, label) -> None:
    """Add a kind of long document, rendered by a job (portal.services.request_document)."""
    DOCUMENT_KINDS[kind] = (builder, label)


def register_home_panel(provider: Callable) -> None:
    """Add context to the home page: provider(user) -> dict, merged in registration order."""
    if provider not in HOME_PANELS:
        HOME_PANELS.append(provider)


def home_panels(user) -> dict:
    """The context every registered home-page panel gives `user`."""
    context: dict = {}
    for provider in HOME_PANELS:
        context.update(provider(user))
    return context


# Messages (issue 18): kind -> MessageKind, in registration order (the preferences page's order).
MESSAGE_KINDS: dict = {}
# (model label, transition name) -> message kind sent when a state machine takes that transition.
TRANSITION_NOTICES: dict[tuple[str, str], str] = {}


def register_message_kind(kind) -> None:
    """Add a kind of message (`portal.notices.MessageKind`): its label, audience, whether it is
    mandatory, and how it is built (`build` for events, `find` for reminders and to-do items)."""
    MESSAGE_KINDS[kind.code] = kind


def register_transition_notice(model_label: str, transition: str, kind: str) -> None:
    """Send message `kind` whenever `portal.statemachine.Machine.move` takes `transition` on a
    row of `model_label` ("leave.application"), after the transaction commits."""
    TRANSITION_NOTICES[(model_label, transition)] = kind


def transition_notice(model_label: str, transition: str) -> str | None:
    """The message kind registered for a transition, or None."""
    return TRANSITION_NOTICES.get((model_label, transition))
