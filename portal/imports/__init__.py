"""The import framework every importer uses.

Columns know their header aliases, how to clean a cell and what a bad cell's message
is; every row is validated before anything is written; then one short transaction
applies bulk upserts on the natural key (see `base.Importer`).
"""
