"""The one base client and its sync and async twins: the request, the retry policy, the envelope
check, pages, streamed downloads. No click."""
