"""areas.frontdesk.db"""
