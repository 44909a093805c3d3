"""areas.frontdesk.services"""
