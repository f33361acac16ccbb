"""A stand-in for the slice of Odoo 18 that Ballast drives. Tests only: see README.md."""
