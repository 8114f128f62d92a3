"""Thin HTTP (and Socket.IO) adapters, one package per area."""
