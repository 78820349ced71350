"""A local HTTP server that speaks the part of MailerLite's API the marketing sync uses.

As documented at developers.mailerlite.com (and recorded in the official SDK's
cassettes): `Authorization: Bearer <token>` or 401 `{"message": "Unauthenticated."}`;
`POST /api/subscribers` upserts by email (201 created, 200 updated) adding `groups`;
`GET /api/groups?filter[name]=` matches parts of names; `POST /api/groups`;
`DELETE /api/subscribers/{id}/groups/{group_id}` and `DELETE /api/subscribers/{id}`
answer 204 (404 when unknown); validation errors are 422
`{"message": ..., "errors": {field: [...]}}`. Tests script failures with `fail_next`
(429 with Retry-After, 5xx, 401) and read every call in `calls`.
"""

from __future__ import annotations

import itertools
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "mlsk-test-token"
BODY = web.RequestKey("body", object)


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None


@dataclass
class FakeMailerLite:
    subscribers: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # id -> name
    calls: list[Call] = field(default_factory=list)
    # statuses to answer the next calls with instead of serving them (429, 500, 401 ...)
    fail_next: list[int] = field(default_factory=list)
    retry_after: int = 3
    # emails MailerLite refuses as invalid (a 422 on upsert)
    refuse_emails: set[str] = field(default_factory=set)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(170000000000000000))
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"{self.url}/api"

    def emails_received(self) -> set[str]:
        """Every email address any call carried."""
        return {
            str(c.body["email"]) for c in self.calls if c.body is not None and "email" in c.body
        }

    def members_of(self, group_name: str) -> set[str]:
        """Emails of the subscribers in the group named `group_name`."""
        ids = {gid for gid, name in self.groups.items() if name == group_name}
        return {s["email"] for s in self.subscribers.values() if ids & set(s["groups"])}

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method != "GET"]

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.calls.append(Call(request.method, request.path, body))
        if self.fail_next:
            status = self.fail_next.pop(0)
            if status == 429:
                return web.json_response(
                    {"message": "Too Many Attempts."},
                    status=429,
                    headers={"Retry-After": str(self.retry_after)},
                )
            return web.json_response({"message": "Server Error"}, status=status)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"message": "Unauthenticated."}, status=401)
        request[BODY] = body
        response: web.StreamResponse = await handler(request)
        return response

    def _group(self, gid: str) -> dict[str, Any]:
        return {"id": gid, "name": self.groups[gid], "active_count": 0, "sent_count": 0}

    async def _list_groups(self, request: web.Request) -> web.Response:
        name = request.query.get("filter[name]", "")
        limit = int(request.query.get("limit", "25"))
        found = [self._group(g) for g, n in self.groups.items() if name.lower() in n.lower()]
        return web.json_response(
            {"data": found[:limit], "links": {}, "meta": {"total": len(found)}}
        )

    async def _create_group(self, request: web.Request) -> web.Response:
        name = (_json(request) or {}).get("name")
        if not isinstance(name, str) or not name or len(name) > 255:
            return _invalid("name", "The name field is required.")
        gid = str(next(self._ids))
        self.groups[gid] = name
        return web.json_response({"data": self._group(gid)}, status=201)

    async def _upsert(self, request: web.Request) -> web.Response:
        body = _json(request) or {}
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email or email in self.refuse_emails:
            return _invalid("email", "The email must be a valid email address.")
        groups = body.get("groups", [])
        for n, gid in enumerate(groups):
            if gid not in self.groups:
                return _invalid(f"groups.{n}", f"The selected groups.{n} is invalid.")
        existing = next((s for s in self.subscribers.values() if s["email"] == email), None)
        if existing is None:
            sid = str(next(self._ids))
            existing = {"id": sid, "email": email, "status": "active", "groups": [], "fields": {}}
            self.subscribers[sid] = existing
            status = 201
        else:
            status = 200
        existing["fields"].update(body.get("fields") or {})
        existing["groups"] = sorted({*existing["groups"], *groups})
        if "status" in body:
            existing["status"] = body["status"]
        data = {**existing, "groups": [self._group(g) for g in existing["groups"]]}
        return web.json_response({"data": data}, status=status)

    async def _unassign(self, request: web.Request) -> web.Response:
        subscriber = self.subscribers.get(request.match_info["sid"])
        gid = request.match_info["gid"]
        if subscriber is None or gid not in self.groups:
            return web.json_response({"message": "Resource not found."}, status=404)
        subscriber["groups"] = [g for g in subscriber["groups"] if g != gid]
        return web.Response(status=204)

    async def _delete(self, request: web.Request) -> web.Response:
        if self.subscribers.pop(request.match_info["sid"], None) is None:
            return web.json_response({"message": "Resource not found."}, status=404)
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application(middlewares=[self._gate])
        app.router.add_get("/api/groups", self._list_groups)
        app.router.add_post("/api/groups", self._create_group)
        app.router.add_post("/api/subscribers", self._upsert)
        app.router.add_delete("/api/subscribers/{sid}/groups/{gid}", self._unassign)
        app.router.add_delete("/api/subscribers/{sid}", self._delete)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def _invalid(name: str, message: str) -> web.Response:
    return web.json_response(
        {"message": message, "errors": {name: [message]}},
        status=422,
    )


def _json(request: web.Request) -> dict[str, Any] | None:
    body = request[BODY]
    return body if isinstance(body, dict) else None
