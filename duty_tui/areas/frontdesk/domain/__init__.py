"""areas.frontdesk.domain"""
