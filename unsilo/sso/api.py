"""The hub's single sign-on over the API: sign-in settings and the group mapping (hub admins)."""

from ninja import Router, Status

from unsilo.core.api import found, input_names, referenced
from unsilo.core.models import Role, User
from unsilo.core.schemas import Id, errors
from unsilo.org.models import Silo
from unsilo.sso import actions, provider, queries
from unsilo.sso.schemas import (
    GroupRoleIn,
    GroupRoleOut,
    GroupSeatIn,
    GroupSeatOut,
    SignInSettingsOut,
    SignInSettingsPatch,
)

router = Router(tags=["Single sign-on"])
WRITE_ERRORS = errors(403, 404, 422)


def _settings_out(request) -> dict:
    chosen = queries.hub_settings(request.actor)
    conf = provider.config()
    return {"configured": conf is not None, "issuer": conf.issuer if conf else "",
            "password_sign_in": chosen.password_sign_in,
            "break_glass_id": chosen.break_glass_id, "allow_unknown": chosen.allow_unknown,
            "unplaced_silo_id": chosen.unplaced_silo_id}


@router.get("/sso/settings", response={200: SignInSettingsOut, **errors(403)},
            summary="Sign-in settings")
def get_settings(request):
    return _settings_out(request)


@router.patch("/sso/settings", response={200: SignInSettingsOut, **errors(403, 422)},
              summary="Change sign-in settings")
def update_settings(request, payload: SignInSettingsPatch):
    """Passwords off needs a break-glass hub admin; letting unknown people in makes the silo
    “Not yet placed” when there is none."""
    chosen = queries.hub_settings(request.actor)
    given = payload.dict(exclude_unset=True)
    break_glass = chosen.break_glass
    if "break_glass_id" in given:
        break_glass = None if given["break_glass_id"] is None else referenced(
            User.objects.filter(role=Role.HUB_ADMIN), given["break_glass_id"],
            "break_glass_id", "hub admin")
    with input_names(break_glass="break_glass_id"):
        actions.save_settings(
            request.actor, password_sign_in=given.get("password_sign_in",
                                                      chosen.password_sign_in),
            break_glass=break_glass, allow_unknown=given.get("allow_unknown",
                                                             chosen.allow_unknown))
    return _settings_out(request)


@router.get("/sso/group-roles", response={200: list[GroupRoleOut], **errors(403)},
            summary="List group roles")
def list_group_roles(request):
    return queries.group_roles(request.actor)


@router.post("/sso/group-roles", response={201: GroupRoleOut, **WRITE_ERRORS},
             summary="Map a group to a role")
def create_group_role(request, payload: GroupRoleIn):
    return Status(201, actions.add_group_role(request.actor, payload.group, payload.role))


@router.delete("/sso/group-roles/{group_role_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a group role")
def delete_group_role(request, group_role_id: Id):
    row = found(queries.group_roles(request.actor), group_role_id, "group role")
    actions.remove_mapping(request.actor, row)
    return Status(204, None)


@router.get("/sso/group-seats", response={200: list[GroupSeatOut], **errors(403)},
            summary="List group seats")
def list_group_seats(request):
    return queries.group_seats(request.actor)


@router.post("/sso/group-seats", response={201: GroupSeatOut, **WRITE_ERRORS},
             summary="Map a group to a silo's seat")
def create_group_seat(request, payload: GroupSeatIn):
    silo = referenced(Silo.objects.all(), payload.silo_id, "silo_id", "silo")
    with input_names(silo="silo_id"):
        row = actions.add_group_seat(request.actor, payload.group, silo, payload.seat_role)
    return Status(201, row)


@router.delete("/sso/group-seats/{group_seat_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a group seat")
def delete_group_seat(request, group_seat_id: Id):
    row = found(queries.group_seats(request.actor), group_seat_id, "group seat")
    actions.remove_mapping(request.actor, row)
    return Status(204, None)
