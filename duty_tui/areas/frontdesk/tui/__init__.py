"""areas.frontdesk.tui"""
