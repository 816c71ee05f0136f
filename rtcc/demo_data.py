"""Demo data for New Orleans: agencies, incident types, cameras at real places, one user per role."""

# (name, latitude, longitude, address, kind, bearing)
CAMERAS = [
    ("Jackson Square", 29.957400, -90.062900, "Jackson Square, French Quarter", "city", 180),
    ("Canal & Bourbon", 29.954600, -90.069400, "Canal St at Bourbon St", "city", 45),
    ("Bourbon & St Peter", 29.959000, -90.065500, "Bourbon St at St Peter St", "city", 135),
    ("Decatur & St Ann", 29.957600, -90.061800, "Decatur St at St Ann St", "city", 90),
    ("French Market", 29.960900, -90.058300, "French Market, N Peters St", "city", 45),
    ("Frenchmen & Chartres", 29.964000, -90.057800, "Frenchmen St at Chartres St", "city", 315),
    ("Esplanade & N Rampart", 29.966700, -90.061200, "Esplanade Ave at N Rampart St", "city", 225),
    ("Armstrong Park Gate", 29.962000, -90.068400, "Louis Armstrong Park, N Rampart St", "city", 0),
    ("Canal & N Rampart", 29.957000, -90.073300, "Canal St at N Rampart St", "city", 90),
    ("Superdome Gate A", 29.951100, -90.081200, "Caesars Superdome, Poydras St", "city", 270),
    ("Smoothie King Center", 29.949000, -90.082100, "1501 Dave Dixon Dr", "city", 180),
    ("Poydras & St Charles", 29.949700, -90.070700, "Poydras St at St Charles Ave", "city", 0),
    ("Lafayette Square", 29.948600, -90.069800, "Lafayette Square, St Charles Ave", "city", 90),
    ("City Hall", 29.952800, -90.077500, "1300 Perdido St", "city", 180),
    ("Union Passenger Terminal", 29.946400, -90.078600, "1001 Loyola Ave", "city", 0),
    ("Harmony Circle", 29.943000, -90.072000, "St Charles Ave at Howard Ave", "city", 45),
    ("Convention Center", 29.942200, -90.063100, "Convention Center Blvd", "city", 45),
    ("Canal & Convention Center Blvd", 29.948500, -90.064000, "Canal St at Convention Center Blvd", "city", 270),
    ("Aquarium Entrance", 29.950600, -90.062600, "1 Canal St", "city", 315),
    ("St Charles & Napoleon", 29.924400, -90.103000, "St Charles Ave at Napoleon Ave", "city", 90),
    ("Magazine & Jackson", 29.927500, -90.079500, "Magazine St at Jackson Ave", "city", 135),
    ("Tulane Campus Gate", 29.940000, -90.120000, "St Charles Ave at Tulane University", "city", 180),
    ("Audubon Park", 29.924900, -90.129000, "Audubon Park, St Charles Ave", "city", 180),
    ("City Park / NOMA", 29.986500, -90.093600, "1 Collins Diboll Cir", "city", 0),
    ("Bayou St John Bridge", 29.979500, -90.087800, "Esplanade Ave at Bayou St John", "city", 270),
    ("Tulane & Broad", 29.962000, -90.090500, "2700 Tulane Ave", "city", 90),
    ("Elysian Fields & St Claude", 29.968300, -90.053500, "Elysian Fields Ave at St Claude Ave", "city", 0),
    ("Algiers Point Ferry", 29.953700, -90.054600, "Algiers Point ferry landing", "city", 315),
    ("UNO Lakefront", 30.027000, -90.067000, "University of New Orleans, Leon C Simon Dr", "city", 180),
    ("Canal & Carrollton LPR", 29.975000, -90.098000, "Canal St at N Carrollton Ave", "plate_reader", 135),
    ("Claiborne & Orleans LPR", 29.966000, -90.076000, "N Claiborne Ave at Orleans Ave", "plate_reader", 45),
    ("St Claude & Poland LPR", 29.970000, -90.040000, "St Claude Ave at Poland Ave", "plate_reader", 270),
    ("Crescent City Connection LPR", 29.942800, -90.066000, "Tchoupitoulas St at Calliope St", "plate_reader", 225),
    ("Chef Menteur & Downman LPR", 30.004500, -89.999000, "Chef Menteur Hwy at Downman Rd", "plate_reader", 90),
    ("I-10 & Read Blvd LPR", 30.040300, -89.974800, "I-10 exit at Read Blvd", "plate_reader", 270),
    ("MLK & S Claiborne LPR", 29.942300, -90.086000, "MLK Jr Blvd at S Claiborne Ave", "plate_reader", 0),
]

STREAMING_PLATE_READERS = {"Canal & Carrollton LPR", "St Claude & Poland LPR"}

HOTLISTS = [
    ("Demo: NCIC stolen vehicles", "ncic", 1, [("BXR9302", "Stolen 11/22, armed robbery suspect", "Grey sedan")]),
    ("Demo: local BOLO", "local_bolo", 2, [("7TR*", "Witness partial plate: hit and run on Magazine St", "White van")]),
]

AGENCIES = [
    ("New Orleans Police Department", "nopd", "police", "nopd-dispatch@example.org"),
    ("New Orleans Fire Department", "nofd", "fire", "nofd-dispatch@example.org"),
    ("New Orleans EMS", "noems", "ems", "ems-dispatch@example.org"),
    ("NOLA Homeland Security & Emergency Preparedness", "nohsep", "emergency_management", "nohsep@example.org"),
]

INCIDENT_TYPES = [
    ("Structure fire", "fire", "Fire", 1),
    ("Medical emergency", "medical", "Health", 1),
    ("Shooting", "shooting", "Security", 1),
    ("Shots fired (sensor)", "shots-fired", "Security", 1),
    ("Traffic crash", "traffic", "Transport", 2),
    ("Hazardous materials", "hazmat", "CBRNE", 1),
    ("Missing person", "missing-person", "Rescue", 2),
    ("Street flooding", "flooding", "Met", 2),
    ("Burglary", "burglary", "Security", 3),
    ("Stolen vehicle", "stolen-vehicle", "Security", 3),
]

# Open demo incidents: (type slug, priority, title, address, latitude, longitude, agencies dispatched to)
INCIDENTS = [
    ("fire", 1, "Smoke showing from second floor", "1300 Perdido St", 29.952800, -90.077500, ["nofd", "noems"]),
    ("traffic", 2, "Two-car crash, one lane blocked", "Canal St at N Rampart St", 29.957000, -90.073300, []),
]

# (username, first, last, role or None for superuser, agency short name)
USERS = [
    ("admin", "Ada", "Admin", None, None),
    ("analyst", "Andre", "Analyst", "analyst", None),
    ("technician", "Tess", "Technician", "video_technician", None),
    ("supervisor", "Sam", "Supervisor", "supervisor", None),
    ("fire", "Felix", "Firefighter", "responder", "nofd"),
    ("ems", "Erin", "Paramedic", "responder", "noems"),
    ("ohsep", "Omar", "Preparedness", "responder", "nohsep"),
]
