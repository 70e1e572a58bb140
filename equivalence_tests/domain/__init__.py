"""The workbench's bottom layer: plain types every entry point shares. Imports nothing above it."""
