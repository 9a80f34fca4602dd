"""REST routes answering interactions: the callback, follow-ups, and the webhook messages.

Discord's timing rules live here: a callback after ``interaction_deadline`` gets 404 10062,
a second one 400 40060, and follow-ups need an acknowledged, unexpired token.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from .errors import DiscordAPIError
from .limits import validate_autocomplete, validate_message_body, validate_modal
from .messages import _Messages
from .protocol import (
    CallbackType,
    InteractionType,
    Json,
    MessageFlag,
    optional_snowflake,
    query_flag,
)
from .records import InteractionRecord, UploadedFile
from .rest import RestRequest, Route

Answer = tuple[int, Any]


class _InteractionRoutes(_Messages):
    """Handlers for ``/interactions/…/callback`` and ``/webhooks/{application_id}/…``."""

    def _interaction_routes(self) -> list[Route]:
        webhook = "/webhooks/{application_id}/{interaction_token}"
        return [
            Route(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self._interaction_callback,
                auth=False,
            ),
            Route("POST", webhook, self._execute_followup, auth=False),
            Route(
                "GET", f"{webhook}/messages/{{message_id}}", self._get_webhook_message, auth=False
            ),
            Route(
                "PATCH",
                f"{webhook}/messages/{{message_id}}",
                self._edit_webhook_message,
                auth=False,
            ),
            Route(
                "DELETE",
                f"{webhook}/messages/{{message_id}}",
                self._delete_webhook_message,
                auth=False,
            ),
        ]

    # the callback

    def _interaction_callback(self, r: RestRequest) -> Answer:
        record = self._callback_target(r)
        body = r.json()
        kind = body.get("type")
        data = body.get("data") or {}
        allowed = self._allowed_callbacks(record.type)
        if kind not in allowed:
            raise DiscordAPIError.invalid_form(
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Value must be one of {sorted(allowed)} for interaction type {record.type}.",
            )
        message = self._apply_callback(record, kind, data, r.files)
        record.callback_type = kind
        record.callback_data = copy.deepcopy(data)
        record.acknowledged_at = r.at
        self._changed.notify_all()
        if not query_flag(r.query.get("with_response")):
            return 204, None
        return 200, self._callback_response(record, kind, message)

    def _callback_target(self, r: RestRequest) -> InteractionRecord:
        """The interaction being answered, if it can still be answered."""
        record = self._interactions.get(r.id("interaction_id"))
        if record is None or record.token != r.params["interaction_token"]:
            raise DiscordAPIError.unknown("interaction")
        if record.callback_type is not None:
            record.rejected_callbacks.append((r.at - record.dispatched_at, 40060))
            raise DiscordAPIError(400, 40060, "Interaction has already been acknowledged.")
        if r.at - record.dispatched_at > record.deadline:
            record.rejected_callbacks.append((r.at - record.dispatched_at, 10062))
            self._changed.notify_all()
            raise DiscordAPIError.unknown("interaction")
        return record

    def _apply_callback(
        self, record: InteractionRecord, kind: int, data: Json, files: Sequence[UploadedFile]
    ) -> Json | None:
        """Carry out one callback type; returns the message it created or edited, if any."""
        message: Json | None = None
        if kind == CallbackType.CHANNEL_MESSAGE_WITH_SOURCE:
            message = self._create_message(
                record.channel_id,
                data,
                author_id=self.bot_user_id,
                files=files,
                interaction=record,
                message_type=self._response_type(record),
            )
            record.original_message_id = int(message["id"])
        elif kind == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            flags = int(data.get("flags") or 0) & MessageFlag.EPHEMERAL
            message = self._create_message(
                record.channel_id,
                {"content": ""},
                author_id=self.bot_user_id,
                interaction=record,
                message_type=self._response_type(record),
                extra_flags=MessageFlag.LOADING | flags,
            )
            record.original_message_id = int(message["id"])
        elif kind == CallbackType.DEFERRED_UPDATE_MESSAGE:
            record.original_message_id = record.message_id
        elif kind == CallbackType.UPDATE_MESSAGE:
            record.original_message_id = record.message_id
            if record.message_id is not None:
                message = self._edit_message(self._message(record.message_id), data, files)
        elif kind == CallbackType.AUTOCOMPLETE_RESULT:
            validate_autocomplete(data)
        elif kind == CallbackType.MODAL:
            validate_modal(data)
        return message

    @staticmethod
    def _callback_response(record: InteractionRecord, kind: int, message: Json | None) -> Json:
        """The body of a callback sent with ``?with_response=true``."""
        response: Json = {"interaction": {"id": str(record.id), "type": record.type}}
        if message is not None:
            response["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=bool(message["flags"] & MessageFlag.LOADING),
                response_message_ephemeral=bool(message["flags"] & MessageFlag.EPHEMERAL),
            )
        response["resource"] = {"type": kind}
        if message is not None:
            response["resource"]["message"] = message
        return response

    @staticmethod
    def _allowed_callbacks(interaction_type: int) -> set[int]:
        if interaction_type == InteractionType.AUTOCOMPLETE:
            return {CallbackType.AUTOCOMPLETE_RESULT}
        allowed = {
            CallbackType.CHANNEL_MESSAGE_WITH_SOURCE,
            CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
        }
        if interaction_type in (InteractionType.MESSAGE_COMPONENT, InteractionType.MODAL_SUBMIT):
            allowed |= {CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE}
        if interaction_type != InteractionType.MODAL_SUBMIT:
            allowed.add(CallbackType.MODAL)
        return allowed

    @staticmethod
    def _response_type(record: InteractionRecord) -> int:
        return 20 if record.type == InteractionType.APPLICATION_COMMAND else 0

    # follow-ups and the interaction's webhook messages

    def _execute_followup(self, r: RestRequest) -> Answer:
        record = self._interaction_by_token(r)
        body = r.json()
        original = (
            None
            if record.original_message_id is None
            else self._messages[record.channel_id].get(record.original_message_id)
        )
        if original is not None and original["flags"] & MessageFlag.LOADING:
            # Discord completes a "thinking…" deferral with the first follow-up message.
            validate_message_body(body, n_files=len(r.files), require_something=True)
            message = self._edit_message(original, body, r.files)
            if int(message["id"]) not in record.followup_message_ids:
                record.followup_message_ids.append(int(message["id"]))
        else:
            channel_id = optional_snowflake(r.query.get("thread_id")) or record.channel_id
            message = self._create_message(
                channel_id, body, author_id=self.bot_user_id, files=r.files, interaction=record
            )
            record.followup_message_ids.append(int(message["id"]))
        self._changed.notify_all()
        return (200, message) if query_flag(r.query.get("wait")) else (204, None)

    def _get_webhook_message(self, r: RestRequest) -> Answer:
        record = self._interaction_by_token(r)
        return 200, copy.deepcopy(self._interaction_message(record, r.params["message_id"]))

    def _edit_webhook_message(self, r: RestRequest) -> Answer:
        record = self._interaction_by_token(r)
        message = self._interaction_message(record, r.params["message_id"])
        return 200, self._edit_message(message, r.json(), r.files)

    def _delete_webhook_message(self, r: RestRequest) -> Answer:
        record = self._interaction_by_token(r)
        self._delete_message(self._interaction_message(record, r.params["message_id"]))
        return 204, None

    def _interaction_by_token(self, r: RestRequest) -> InteractionRecord:
        """The acknowledged interaction whose webhook the path names."""
        application_id = r.id("application_id")
        interaction_id = self._interaction_tokens.get(r.params["interaction_token"])
        if application_id != self.application_id or interaction_id is None:
            raise DiscordAPIError.unknown("Webhook")
        record = self._interactions[interaction_id]
        if r.at - record.dispatched_at > self.interaction_token_ttl:
            raise DiscordAPIError(401, 50027, "Invalid Webhook Token")
        if record.callback_type is None:
            raise DiscordAPIError.unknown("Webhook")
        return record

    def _interaction_message(self, record: InteractionRecord, message_ref: str) -> Json:
        if message_ref == "@original":
            if record.original_message_id is None:
                raise DiscordAPIError.unknown("Message")
            return self._message(record.original_message_id)
        message_id = int(message_ref)
        if (
            message_id != record.original_message_id
            and message_id not in record.followup_message_ids
        ):
            raise DiscordAPIError.unknown("Message")
        return self._message(message_id)
