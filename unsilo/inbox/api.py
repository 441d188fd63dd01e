"""The inbox API: conversations, their actions, saved replies, rules, SLAs, notifications."""

from ninja import Router

router = Router(tags=["inbox"])
