"""areas.housing_options.db"""
