"""Portal accounts made from the roster, and the invitation that lets a new one set a password.

No password travels in a file: a new account has an unusable password until its owner
follows the set-password link of the invitation e-mail (Django's token machinery).
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .imports.upsert import Staging
from .models import Employee, UnitRole, User
from .roles import Role

# Roles the roster decides; coordinators and HR officers are assigned by HR and kept.
ROSTER_ROLES = {Role.EMPLOYEE, Role.SUPERVISOR}


def sync_roster_accounts(rows: list[dict], left: list[int]) -> list[int]:
    """Create or update one account per roster row (dicts with national_id, username, email,
    unit_role, active and row), set-based in a fixed number of queries; close the accounts
    of the employees `left`. Returns the row numbers that got no account (neither 帳號 nor
    電子郵件, or a sign-in name another person's account already uses)."""
    employees = {
        e["national_id"]: e
        for e in Employee.objects.filter(national_id__in=[r["national_id"] for r in rows]).values(
            "id", "national_id", "unit_id"
        )
    }
    wanted, skipped = {}, []
    for row in rows:
        username = (row.get("username") or row.get("email") or "").strip()
        if not username:
            skipped.append(row["row"])
            continue
        employee = employees[row["national_id"]]
        head = row["unit_role"] == UnitRole.UNIT_HEAD
        wanted[employee["id"]] = {
            "username": username,
            "email": row.get("email") or "",
            "is_active": row.get("active", True),
            "head": head,
            "unit_id": employee["unit_id"] if head else None,
            "row": row["row"],
        }
    usernames = [w["username"] for w in wanted.values()]
    existing = list(
        User.objects.filter(employee_id__in=list(wanted)).only(
            "id", "username", "email", "is_active", "role", "employee_id", "password", "first_name", "last_name"
        )
    )
    mine = {u.employee_id: u for u in existing}
    taken = {u: e for u, e in User.objects.filter(username__in=usernames).values_list("username", "employee_id")}
    written, new_ids = [], []
    for employee_id, w in wanted.items():
        if taken.get(w["username"], employee_id) != employee_id:
            skipped.append(w["row"])
            continue
        user = mine.get(employee_id)
        role = Role.SUPERVISOR if w["head"] else Role.EMPLOYEE
        if user is None:
            new_ids.append(employee_id)
            written.append(
                {
                    "employee_id": employee_id,
                    "username": w["username"],
                    "email": w["email"],
                    "is_active": w["is_active"],
                    "role": role,
                    "password": make_password(None),
                    "first_name": "",
                    "last_name": "",
                }
            )
            continue
        if user.role not in ROSTER_ROLES:
            role = user.role
        after = (w["username"], w["email"], w["is_active"], role)
        if (user.username, user.email, user.is_active, user.role) != after:
            written.append(
                {
                    "employee_id": employee_id,
                    "username": after[0],
                    "email": after[1],
                    "is_active": after[2],
                    "role": after[3],
                    "password": user.password,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                }
            )
    if written:
        # Staged and merged in one statement (bulk_create and bulk_update would take a query
        # per few hundred rows); the password and names are written as they are, so they stay.
        fields = ["username", "email", "is_active", "role", "password", "first_name", "last_name"]
        with Staging(User, ["employee_id"], fields) as staging:
            staging.add_dicts(written)
            staging.merge()
    created = dict(User.objects.filter(employee_id__in=new_ids).values_list("employee_id", "id")) if new_ids else {}
    _sync_headed_units(wanted, {u.employee_id: u.id for u in existing} | created)
    if left:
        User.objects.filter(employee_id__in=left, is_active=True).update(is_active=False)
    invited = [created[e] for e in new_ids if wanted[e]["email"] and wanted[e]["is_active"]]
    if invited:
        transaction.on_commit(lambda: send_invitations.delay(invited))
    return sorted(skipped)


def _sync_headed_units(wanted: dict, user_ids: dict) -> None:
    """A unit head heads their unit; the roster people who are no longer heads stop heading
    the units they headed. One query, two or three when something changed."""
    through = User.headed_units.through
    ids = [user_ids[e] for e in wanted if e in user_ids]
    should = {(user_ids[e], w["unit_id"]) for e, w in wanted.items() if w["unit_id"] and e in user_ids}
    have = {(u, n): pk for pk, u, n in through.objects.filter(user_id__in=ids).values_list("id", "user_id", "unit_id")}
    if should - set(have):
        with Staging(through, ["user_id", "unit_id"], []) as staging:
            staging.add_dicts([{"user_id": u, "unit_id": n} for u, n in should - set(have)])
            staging.merge()
    stale = [pk for pair, pk in have.items() if pair not in should]
    if stale:
        through.objects.filter(id__in=stale).delete()


def invitation_link(user: User) -> str:
    """The absolute set-password link of `user` (Django's PasswordResetConfirmView)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_invitation(user: User) -> None:
    """Send `user` the invitation e-mail with their set-password link (no national ID)."""
    body = _(
        "%(name)s 您好：\n\n已為您開立終身學習入口網站帳號「%(username)s」。\n"
        "請由下列連結設定密碼後登入：\n%(link)s\n\n此連結僅能使用一次。"
    ) % {
        "name": user.employee.name if user.employee_id else user.username,
        "username": user.username,
        "link": invitation_link(user),
    }
    send_mail(_("【終身學習入口網站】帳號開通：請設定密碼"), body, None, [user.email])


@shared_task(name="portal.send_invitations")
def send_invitations(user_ids: list[int]) -> int:
    """E-mail each new account (by id) its set-password invitation; returns how many were sent."""
    users = list(User.objects.filter(id__in=user_ids, is_active=True).exclude(email="").select_related("employee"))
    for user in users:
        send_invitation(user)
    return len(users)


def accounts_visible_to(user):
    """The accounts an HR officer manages: those of the people of the governments they serve."""
    return User.objects.filter(employee__in=Employee.objects.visible_to(user))


def assign_role(actor, account: User, role: str, agency_ids: list[int]) -> User:
    """HR sets an account's role and, for coordinators and HR officers, its agencies (within
    the governments HR serves), under a row lock. PermissionDenied / ValidationError in Chinese."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from . import audit
    from .access import is_hr
    from .models import Agency

    if not is_hr(actor):
        raise PermissionDenied(_("只有人事人員可以指派角色。"))
    if role not in Role.values:
        raise ValidationError(_("角色不正確。"))
    visible = set(Agency.objects.visible_to(actor).filter(pk__in=agency_ids).values_list("pk", flat=True))
    if set(agency_ids) - visible:
        raise PermissionDenied(_("只能指派您服務政府內的機關。"))
    if role in (Role.COORDINATOR, Role.HR) and not agency_ids and not actor.is_superuser:
        raise ValidationError(_("機關承辦人與人事人員須指定服務機關。"))
    with transaction.atomic():
        locked = accounts_visible_to(actor).select_for_update().filter(pk=account.pk).first()
        if locked is None:
            raise PermissionDenied(_("您無權管理此帳號。"))
        before = {"role": locked.role, "agencies": sorted(locked.agencies.values_list("pk", flat=True))}
        locked.role = role
        locked.save(update_fields=["role"])
        locked.agencies.set(agency_ids if role in (Role.COORDINATOR, Role.HR) else [])
        audit.record(
            actor,
            "account_role_assigned",
            locked,
            _("指派角色：%(role)s") % {"role": locked.get_role_display()},
            before=before,
            after={"role": role, "agencies": sorted(agency_ids)},
        )
    return locked


def resend_invitation(actor, account: User) -> None:
    """HR sends an account's set-password invitation again (through Celery, after commit)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from .access import is_hr

    if not is_hr(actor) or not accounts_visible_to(actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("您無權管理此帳號。"))
    if not account.email or not account.is_active:
        raise ValidationError(_("此帳號沒有電子郵件或已停用，無法寄送邀請。"))
    transaction.on_commit(lambda: send_invitations.delay([account.pk]))
