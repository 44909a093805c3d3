"""areas.housing_options.services"""
