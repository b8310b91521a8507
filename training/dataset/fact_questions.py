"""Hand-written visitor questions, several for each curated fact, and questions the record cannot answer.

`FACT_QUESTIONS[exhibit_id]` pairs the opening words of a fact (matched with `str.startswith`,
so an edited fact simply loses its questions instead of getting wrong ones) with three or four
paraphrased questions that this fact answers: who, when, where, what it is made of, how many.
`UNANSWERABLE[exhibit_id]` holds questions about the exhibit that its record does not answer.
Questions for the validation and test exhibits are written here too; they only ever reach those
splits (the split is by exhibit).
"""

from __future__ import annotations

FACT_QUESTIONS: dict[str, list[tuple[str, list[str]]]] = {
    "amathus": [
        ("Amathus was one of the Iron Age kingdoms", [
            "What kind of place was Amathus in the Iron Age?",
            "Was Amathus one of the ancient kingdoms of Cyprus?",
            "Which coast of Cyprus is Amathus on?",
            "Was Amathus a kingdom?",
        ]),
        ("Ancient Greek writers described the people", [
            "Who were the Eteocypriots?",
            "What did ancient Greek writers say about the people of Amathus?",
            "What do modern scholars call the native people of Amathus?",
            "Were the people of Amathus native islanders?",
        ]),
        ("Inscriptions from Amathus use", [
            "What script do the inscriptions from Amathus use?",
            "Can anyone read the Eteocypriot language?",
            "What language is written in the Amathus inscriptions?",
            "Which syllabary was used to write Eteocypriot?",
        ]),
        ("A sanctuary of Aphrodite stood", [
            "Which goddess had a sanctuary on the acropolis of Amathus?",
            "What stood on top of the acropolis?",
            "Was there a sanctuary of Aphrodite at Amathus?",
        ]),
        ("Herodotus reports that Amathus", [
            "Did Amathus join the revolt of Onesilus?",
            "What does Herodotus say about Amathus?",
            "Which side did Amathus take in the revolt against the Persians?",
            "Who wrote that Amathus refused to join the revolt?",
        ]),
        ("A huge limestone vase", [
            "Where is the huge limestone vase from Amathus now?",
            "When was the stone vase taken to the Louvre?",
            "What is the big vase from the acropolis made of?",
            "Which museum has the huge vase from Amathus?",
        ]),
        ("A French archaeological mission", [
            "Who excavates at Amathus today?",
            "Since when have French archaeologists studied Amathus?",
            "Which mission has studied the site since 1975?",
            "Who works with the Department of Antiquities at Amathus?",
        ]),
        ("Amathus was abandoned", [
            "When was Amathus abandoned?",
            "Why did people leave Amathus?",
            "Where did the people of Amathus move to?",
            "What happened to Amathus at the end of the 7th century AD?",
        ]),
    ],
    "asinou-church": [
        ("The church of Panagia Phorbiotissa", [
            "Where is the church at Asinou?",
            "Which village is near Asinou church?",
            "Is Asinou church in the foothills of the Troodos?",
        ]),
        ("An inscription records that the church", [
            "When was Asinou church built?",
            "Who built the church at Asinou?",
            "What does the inscription say about who built the church?",
            "Who was the magistros Nikephoros Ischyrios?",
        ]),
        ("It is a single-aisled vaulted church", [
            "What shape is the church?",
            "How many aisles does Asinou church have?",
            "What kind of apse does the church have?",
            "Is Asinou a vaulted church?",
            "Does the church have a semicircular apse?",
        ]),
        ("A protective timber roof", [
            "Why does the church have a timber roof?",
            "What is the roof over the vault made of?",
            "Was the timber roof part of the first church?",
        ]),
        ("The present portrait of the donor", [
            "When was the donor portrait painted?",
            "Who is shown offering the church to the Virgin?",
            "Is the portrait of the donor Nikephoros from the first decoration?",
        ]),
        ("Wall paintings inside the church", [
            "How old are the wall paintings?",
            "From which centuries do the wall paintings date?",
            "Are all the wall paintings from the same time?",
        ]),
        ("Asinou is one of the Painted Churches", [
            "Is Asinou a UNESCO World Heritage site?",
            "When was Asinou inscribed on the World Heritage List?",
            "Which World Heritage property includes Asinou?",
        ]),
        ("The Troodos World Heritage property", [
            "How many churches are in the Troodos World Heritage property?",
            "When was the Troodos World Heritage property extended?",
            "Since when have ten churches been on the list?",
        ]),
    ],
    "bellapais-abbey": [
        ("The abbey was founded for canons", [
            "Who was the abbey founded for?",
            "Where did the first canons of Bellapais come from?",
            "Why was Bellapais Abbey founded?",
            "Which canons fled from Jerusalem?",
        ]),
        ("Its first buildings were put up", [
            "When were the first buildings of the abbey put up?",
            "Which king ruled when the first buildings of the abbey went up?",
            "Who was king when building at Bellapais started?",
            "When did building at the abbey begin?",
        ]),
        ("From 1206 the abbey followed", [
            "Who were the White Canons?",
            "Which rule did the abbey follow from 1206?",
            "What order of canons lived at Bellapais?",
            "What changed at the abbey in 1206?",
        ]),
        ("Most of the buildings that survive", [
            "When were most of the surviving buildings built?",
            "How old are the buildings that survive today?",
            "Which centuries do the surviving buildings date from?",
        ]),
        ("The name Bellapais is usually explained", [
            "What does the name Bellapais mean?",
            "Where does the name Bellapais come from?",
            "What is the Abbey of Peace?",
            "Is Bellapais a French name?",
        ]),
        ("The abbey is built in the Gothic style", [
            "What style is the abbey built in?",
            "On which side of the cloister is the church?",
            "What is the abbey built around?",
            "Is Bellapais a Gothic building?",
        ]),
        ("Its large vaulted refectory", [
            "What is the refectory like?",
            "Which side is the refectory on?",
            "What does the refectory look out towards?",
        ]),
    ],
    "buyuk-han": [
        ("The Büyük Han was built in 1572", [
            "When was the Büyük Han built?",
            "How soon after the Ottoman conquest was the inn built?",
            "Who had just taken Cyprus when the Han was built?",
            "What was built in Nicosia in 1572?",
        ]),
        ("Büyük Han means the Great Inn", [
            "What does Büyük Han mean?",
            "What does the name of the inn mean in Turkish?",
            "Why is it called the Great Inn?",
        ]),
        ("It is the largest caravanserai", [
            "Is this the biggest caravanserai in Cyprus?",
            "What is the largest caravanserai in Cyprus?",
            "What kind of building is the Büyük Han?",
            "Is the Büyük Han the largest caravanserai?",
        ]),
        ("The inn has two storeys", [
            "How many storeys does the inn have?",
            "What are the rooms arranged around?",
            "How is the inn laid out?",
        ]),
        ("In the middle of the courtyard", [
            "What stands in the middle of the courtyard?",
            "Is there a mosque inside the inn?",
            "What is the fountain in the courtyard for?",
            "What is the small mosque built on?",
        ]),
        ("Travellers slept in the upper rooms", [
            "Where did travellers sleep?",
            "What was the ground floor used for?",
            "Where were the animals kept?",
            "Who stayed in the upper rooms?",
        ]),
        ("Under British administration", [
            "What was the building used for under the British?",
            "Was the Büyük Han ever a prison?",
            "How did the British administration use the inn?",
        ]),
        ("After long restoration", [
            "What is inside the Büyük Han today?",
            "What is the Han used for now?",
            "Are there cafes in the inn?",
            "Was the building restored?",
            "Are there craft workshops in the Han?",
            "What does the restored Han house now?",
        ]),
    ],
    "choirokoitia": [
        ("UNESCO describes Choirokoitia", [
            "How old is Choirokoitia?",
            "When were people living at Choirokoitia?",
            "What kind of site is Choirokoitia?",
            "From which millennium was the settlement occupied?",
        ]),
        ("Choirokoitia was inscribed", [
            "When did Choirokoitia become a World Heritage site?",
            "Is Choirokoitia on the UNESCO World Heritage List?",
            "What happened to Choirokoitia in 1998?",
        ]),
        ("The settlement lies on the slopes", [
            "How far is the settlement from the sea?",
            "Which river runs below Choirokoitia?",
            "Where exactly does the settlement lie?",
            "Is Choirokoitia on a hill?",
        ]),
        ("Its houses were circular buildings", [
            "What shape were the houses?",
            "What were the houses at Choirokoitia made of?",
            "What kind of roofs did the houses have?",
            "What did the houses look like?",
        ]),
        ("A massive wall protected", [
            "Was the village protected by a wall?",
            "What protected the village?",
            "Which side of the village did the wall guard?",
        ]),
        ("The inhabitants buried their dead", [
            "Where did the people bury their dead?",
            "How were the dead buried at Choirokoitia?",
            "Were there graves under the houses?",
        ]),
        ("Porphyrios Dikaios excavated the site", [
            "Who excavated Choirokoitia?",
            "When was the site first excavated?",
            "Between which years did Porphyrios Dikaios dig here?",
            "Who excavated the site for the Department of Antiquities?",
        ]),
        ("A French mission led by Alain Le Brun", [
            "Who resumed the excavations at Choirokoitia?",
            "Did a French mission work here?",
            "Who is Alain Le Brun?",
            "Who led the later excavations?",
        ]),
    ],
    "church-of-saint-lazarus": [
        ("Orthodox tradition holds that Lazarus", [
            "Who was Lazarus?",
            "What does tradition say about Lazarus and Kition?",
            "Was Lazarus the bishop of Kition?",
            "Why is Lazarus connected with this town?",
        ]),
        ("In 890 a tomb inscribed", [
            "When was the tomb of Lazarus found?",
            "What was written on the tomb?",
            "What was found at Kition in 890?",
            "Where was the tomb of Lazarus discovered?",
        ]),
        ("The Byzantine emperor Leo VI had relics", [
            "Where were the relics of Lazarus taken?",
            "Who took the relics of the saint to Constantinople?",
            "What happened to the relics of the saint?",
        ]),
        ("Leo VI had the church built", [
            "Who built the Church of Saint Lazarus?",
            "What is the church built over?",
            "Which emperor had the church built?",
        ]),
        ("The church is a stone basilica", [
            "How many aisles does the church have?",
            "What is the church built of?",
            "What divides the aisles?",
            "What kind of building is the church?",
        ]),
        ("Its carved and gilded wooden iconostasis", [
            "How old is the iconostasis?",
            "What is the iconostasis made of?",
            "When was the wooden iconostasis made?",
        ]),
        ("In 1972 human remains were found", [
            "What was found beneath the altar?",
            "When were human remains found in the church?",
            "What is the sarcophagus beneath the altar made of?",
            "What was discovered during the renovation work?",
        ]),
    ],
    "commandaria": [
        ("Commandaria is a sweet dessert wine", [
            "What kind of wine is Commandaria?",
            "What is Commandaria made from?",
            "Is Commandaria a sweet wine?",
            "How are the grapes for Commandaria treated?",
        ]),
        ("It is made only from two local grape", [
            "Which grapes are used for Commandaria?",
            "How many grape varieties go into Commandaria?",
            "What is Xynisteri?",
            "Is Commandaria made from red or white grapes?",
        ]),
        ("The grapes are grown in a defined region", [
            "Where are the grapes grown?",
            "How many villages grow the grapes for Commandaria?",
            "In which mountains is the Commandaria region?",
        ]),
        ("Commandaria is a protected designation", [
            "Is Commandaria a protected wine?",
            "Does Commandaria have a protected designation of origin?",
            "Is the name Commandaria protected?",
        ]),
        ("By law the wine is aged", [
            "How long is Commandaria aged?",
            "What are the barrels for Commandaria made of?",
            "What does the law say about ageing the wine?",
            "Is the wine kept in oak?",
        ]),
        ("The wine takes its name from the Grand Commandery", [
            "Where does the name Commandaria come from?",
            "Why is the wine called Commandaria?",
            "What does Commandaria have to do with Kolossi?",
            "Is Commandaria named after the Knights Hospitaller?",
            "What does the Grand Commandery have to do with the name of the wine?",
        ]),
        ("Commandaria is often described as the oldest", [
            "Is Commandaria the oldest named wine?",
            "Is Commandaria still in production?",
            "Which is the oldest named wine still made?",
        ]),
    ],
    "cyprus-museum": [
        ("The Cyprus Museum was founded in 1882", [
            "When was the Cyprus Museum founded?",
            "How old is the Cyprus Museum?",
            "In what year was the museum founded?",
        ]),
        ("It was set up after a petition", [
            "Why was the Cyprus Museum set up?",
            "Who asked for the museum to be set up?",
            "What were the Cypriots worried about?",
            "What petition led to the museum?",
        ]),
        ("Construction of the present building", [
            "When was the present building started?",
            "When did construction of the museum building begin?",
            "How old is the present building?",
        ]),
        ("The building was dedicated to the memory", [
            "Who is the building dedicated to?",
            "Is the museum building dedicated to Queen Victoria?",
            "Which queen does the building remember?",
        ]),
        ("It is the oldest and largest", [
            "Is this the largest museum in Cyprus?",
            "Which is the oldest archaeological museum in Cyprus?",
            "How does the Cyprus Museum compare with other museums on the island?",
        ]),
        ("The museum is run by the Department", [
            "Who runs the Cyprus Museum?",
            "Which department manages the museum?",
            "Is the museum run by the Republic of Cyprus?",
        ]),
        ("Its finds are displayed in chronological", [
            "How are the finds displayed?",
            "In what order are the finds arranged?",
            "Which period does the display begin with?",
        ]),
        ("Its collections include the Pomos idol", [
            "Can I see the Pomos idol here?",
            "What famous objects are in the collections?",
            "Is the Horned God from Enkomi in this museum?",
            "Does the museum have the Lady of Lemba?",
        ]),
    ],
    "enkomi": [
        ("Enkomi was settled in the Middle Bronze Age", [
            "When was Enkomi first settled?",
            "Was Enkomi near the sea?",
            "What happened to the inlet near Enkomi?",
            "In which age was Enkomi settled?",
        ]),
        ("From about the 16th to the 12th century", [
            "What was Enkomi important for?",
            "When was Enkomi a centre of the copper trade?",
            "What did Enkomi trade in?",
        ]),
        ("Copper was smelted at the site", [
            "Was copper smelted at Enkomi?",
            "Did they smelt metal here?",
            "Where was the copper smelted?",
        ]),
        ("The British Museum excavated tombs", [
            "When were tombs first excavated at Enkomi?",
            "Who excavated tombs here in 1896?",
            "Did the British Museum dig at Enkomi?",
        ]),
        ("Porphyrios Dikaios excavated at Enkomi", [
            "Who excavated Enkomi for the Department of Antiquities?",
            "When did Porphyrios Dikaios excavate at Enkomi?",
            "How long did Dikaios dig here?",
        ]),
        ("The bronze statue known as the Horned God", [
            "Where was the Horned God found?",
            "Where is the Horned God now?",
            "What is the Horned God made of?",
            "What is the Horned God?",
        ]),
        ("A bronze statuette of an armed god", [
            "What is the Ingot God?",
            "What does the Ingot God stand on?",
            "Was another bronze god found at Enkomi?",
            "Is the Ingot God armed?",
        ]),
        ("Enkomi was abandoned", [
            "When was Enkomi abandoned?",
            "When did people leave Enkomi?",
            "What happened to Enkomi in the 11th century BC?",
        ]),
    ],
    "hala-sultan-tekke": [
        ("The complex stands on the west bank", [
            "Where is the Hala Sultan Tekke?",
            "Which side of the Salt Lake is the complex on?",
            "Is the Tekke next to the Larnaca Salt Lake?",
            "On which bank of the Salt Lake does the complex stand?",
        ]),
        ("It is built around a tomb", [
            "Whose tomb is in the Tekke?",
            "Who was Umm Haram?",
            "What is the complex built around?",
            "Was Umm Haram a companion of the Prophet Muhammad?",
        ]),
        ("According to tradition, Umm Haram died", [
            "How did Umm Haram die?",
            "What happened to Umm Haram?",
            "Did Umm Haram fall from her mule?",
            "When did Umm Haram come to Cyprus?",
        ]),
        ("The mausoleum over the tomb", [
            "When was the mausoleum built?",
            "How old is the mausoleum?",
            "What was built over the tomb in 1760?",
        ]),
        ("The mosque, in classical Ottoman style", [
            "When was the mosque completed?",
            "What style is the mosque?",
            "When was the mosque finished?",
        ]),
        ("The complex includes a mosque", [
            "What buildings are in the complex?",
            "Is there a cemetery at the Tekke?",
            "Does the complex have a minaret?",
            "Were there living quarters at the Tekke?",
        ]),
        ("The Department of Antiquities has carried out", [
            "Who looks after the monument?",
            "Since when has conservation work been carried out?",
            "Has the monument been conserved?",
        ]),
        ("Swedish archaeologists have excavated", [
            "Who excavated the Bronze Age town beside the site?",
            "Is there an ancient town near the Tekke?",
            "What did Swedish archaeologists find here?",
        ]),
    ],
    "house-of-dionysos-mosaics": [
        ("The House of Dionysos was a large Roman villa", [
            "When was the House of Dionysos built?",
            "What kind of building was the House of Dionysos?",
            "Was the house a Roman villa?",
        ]),
        ("The villa was destroyed by earthquakes", [
            "How was the villa destroyed?",
            "When was the villa destroyed?",
            "What destroyed the House of Dionysos?",
            "Did earthquakes destroy the villa?",
        ]),
        ("A farmer came upon the mosaics", [
            "Who found the mosaics?",
            "When were the mosaics discovered?",
            "How were the mosaics found?",
            "Was it a farmer who came upon the mosaics?",
        ]),
        ("The house takes its name from Dionysos", [
            "Why is it called the House of Dionysos?",
            "Who was Dionysos?",
            "Does Dionysos appear in the mosaics?",
            "Is the house named after Dionysos, the god of wine?",
        ]),
        ("About 556 square metres", [
            "How much of the floor is covered with mosaics?",
            "How big are the mosaics?",
            "How many square metres of mosaics are there?",
        ]),
        ("One mosaic shows Ikarios", [
            "Who is Ikarios?",
            "What does the Ikarios mosaic show?",
            "Who received the gift of wine from Dionysos?",
            "Which mosaic shows the first wine drinkers?",
        ]),
        ("A pebble mosaic of the sea monster", [
            "What is the Scylla mosaic?",
            "Which mosaic is older than the villa?",
            "Who is shown in the pebble mosaic?",
            "Is there a pebble mosaic of Scylla?",
        ]),
        ("The mosaics are part of the Paphos World Heritage", [
            "Are the mosaics a World Heritage site?",
            "When were the mosaics inscribed by UNESCO?",
            "Which World Heritage site includes the mosaics?",
        ]),
    ],
    "house-of-eustolios": [
        ("The complex was built after earthquakes", [
            "When was the House of Eustolios built?",
            "What happened to Kourion before the house was built?",
            "Was the complex built after the earthquakes?",
        ]),
        ("A mosaic inscription names Eustolios", [
            "Who was Eustolios?",
            "What did Eustolios give to the city?",
            "Where is Eustolios named?",
            "Which inscription names Eustolios?",
            "Who gave public baths to the city?",
        ]),
        ("The building included a bath suite", [
            "Did the house have baths?",
            "What rooms were in the bath suite?",
            "Was there a hot room in the baths?",
        ]),
        ("One inscription says the house is now girded", [
            "What does the inscription about the signs of Christ say?",
            "Is the house protected by walls of stone?",
            "Which inscription mentions the signs of Christ?",
        ]),
        ("Another inscription recalls Phoebus Apollo", [
            "Who was the former protector of Kourion?",
            "Does any inscription mention Apollo?",
            "Which god once protected Kourion?",
        ]),
        ("A floor mosaic shows Ktisis", [
            "Who is Ktisis?",
            "What is Ktisis holding?",
            "What does the floor mosaic of Creation show?",
        ]),
        ("Fish and birds in the mosaics", [
            "What do the fish and birds in the mosaics mean?",
            "Are there animals in the mosaics?",
            "What are the early Christian symbols in the mosaics?",
        ]),
    ],
    "idalion-tablet": [
        ("The Idalion tablet is a bronze plaque", [
            "What is the Idalion tablet made of?",
            "Is the tablet inscribed on both sides?",
            "What kind of object is the Idalion tablet?",
        ]),
        ("Its text is written in the Greek language", [
            "What language is the tablet written in?",
            "What script is used on the tablet?",
            "What is the Cypriot syllabary?",
            "What does each sign stand for?",
        ]),
        ("The lines of the inscription are read", [
            "Which way do you read the inscription?",
            "Is the text read from left to right?",
            "In which direction are the lines read?",
        ]),
        ("The text records an agreement", [
            "What does the text of the tablet record?",
            "Who made the agreement on the tablet?",
            "Who was Onasilos?",
            "Which king is named on the tablet?",
        ]),
        ("The physicians undertook to treat", [
            "What did the physicians promise to do?",
            "Did the physicians charge a fee?",
            "Who besieged Idalion?",
            "Who treated the wounded men?",
        ]),
        ("In return the king and the city granted", [
            "How were the physicians paid?",
            "What did the physicians get in return?",
            "What did the king and the city give the physicians?",
        ]),
        ("The tablet was found in 1850", [
            "When was the tablet found?",
            "Where was the tablet found?",
            "In which sanctuary was the tablet found?",
        ]),
        ("The tablet is kept today", [
            "Where is the tablet kept today?",
            "Which city is the tablet in now?",
            "Can I see the tablet in Cyprus?",
        ]),
    ],
    "kalavasos-tenta": [
        ("Tenta is an Aceramic Neolithic settlement", [
            "What kind of site is Tenta?",
            "Which valley is Tenta in?",
            "Is Tenta on a hill?",
            "Is Tenta a Neolithic settlement?",
        ]),
        ("The site lies near the village of Kalavasos", [
            "Where is Tenta?",
            "Which village is near Tenta?",
            "Is the site close to the motorway?",
            "Is Tenta near the Nicosia to Limassol motorway?",
        ]),
        ("Its houses were circular or curved", [
            "What were the houses at Tenta made of?",
            "What shape were the houses at Tenta?",
            "What did the houses at Tenta look like?",
        ]),
        ("Like Choirokoitia, the settlement", [
            "Was Tenta surrounded by a wall?",
            "Is Tenta like Choirokoitia?",
            "Did the settlement have a wall?",
        ]),
        ("Porphyrios Dikaios made a brief excavation", [
            "Who first excavated Tenta?",
            "When did Porphyrios Dikaios dig at Tenta?",
            "What happened at Tenta in 1947?",
        ]),
        ("Ian Todd directed five seasons", [
            "Who is Ian Todd?",
            "How many seasons of excavation did Ian Todd direct?",
            "When did Ian Todd excavate at Tenta?",
        ]),
        ("Today the top of the hill is covered", [
            "What is the tent-like roof on the hill?",
            "Why is there a roof over the site?",
            "What covers the top of the hill today?",
        ]),
    ],
    "kition": [
        ("The remains of ancient Kition", [
            "Where is ancient Kition?",
            "What modern town is built over Kition?",
            "Is Kition under Larnaca?",
        ]),
        ("At the Kathari site, successive temples", [
            "What was found at the Kathari site?",
            "How old are the temples at Kathari?",
            "Were there copper-smelting workshops at Kition?",
        ]),
        ("Around 850 BC the Phoenicians built", [
            "Who built the temple of Astarte?",
            "When was the temple of Astarte built?",
            "Which goddess had a large temple at Kathari?",
            "What did the Phoenicians build at Kition?",
        ]),
        ("Vassos Karageorghis directed", [
            "Who excavated the Kathari site?",
            "Who directed the excavations at Kathari?",
            "Who is Vassos Karageorghis?",
        ]),
        ("A stele of the Assyrian king Sargon II", [
            "Where is the stele of Sargon II now?",
            "When was the stele of Sargon II found?",
            "What Assyrian object was found at Kition?",
            "Which king is named on the stele?",
        ]),
        ("Zeno of Kition, the founder", [
            "Who was Zeno of Kition?",
            "Which philosopher was born in Kition?",
            "Who founded Stoic philosophy?",
        ]),
        ("The kingdom of Kition came to an end", [
            "When did the kingdom of Kition end?",
            "Who put the king of Kition to death?",
            "What happened to Kition in 312 BC?",
            "How did the kingdom of Kition come to an end?",
        ]),
    ],
    "kolossi-castle": [
        ("In 1210 King Hugh I granted Kolossi", [
            "Who gave Kolossi to the Knights Hospitaller?",
            "When did the Hospitallers get Kolossi?",
            "What happened at Kolossi in 1210?",
            "Which king granted Kolossi to the knights?",
        ]),
        ("Kolossi became the seat", [
            "What was Kolossi the seat of?",
            "Why was Kolossi important to the Hospitallers?",
            "Where was the Grand Commandery of the Hospitallers?",
        ]),
        ("The present keep was built in 1454", [
            "Who built the keep?",
            "When was the keep built?",
            "Who was Louis de Magnac?",
            "How old is the present keep?",
        ]),
        ("The keep is a three-storey tower", [
            "What is the keep made of?",
            "How many storeys does the keep have?",
            "What kind of stone was used for the tower?",
            "What does the keep look like?",
        ]),
        ("A marble panel on the wall", [
            "What is on the marble panel?",
            "Whose coats of arms are on the wall?",
            "Is the coat of arms of Louis de Magnac on the castle?",
            "What is the panel on the wall made of?",
        ]),
        ("A sugar factory and an aqueduct", [
            "What stands beside the castle?",
            "Was there a sugar factory at Kolossi?",
            "Is there an aqueduct near the castle?",
        ]),
        ("The sweet wine Commandaria takes", [
            "Where does Commandaria get its name?",
            "Which wine is named after the Commandery?",
            "What is the link between Kolossi and Commandaria?",
        ]),
    ],
    "kourion-theatre": [
        ("Herodotus says the people of Kourion", [
            "Where did the people of Kourion say they came from?",
            "What does Herodotus say about Kourion?",
            "Were the people of Kourion colonists from Argos?",
        ]),
        ("The theatre stands on the southern end", [
            "Where is the theatre?",
            "On which end of the hill does the theatre stand?",
            "Is the theatre on a steep hill?",
            "Does the theatre stand on the southern end of the hill?",
        ]),
        ("The theatre was first built", [
            "When was the theatre first built?",
            "How old is the theatre?",
            "Is the first theatre from the 2nd century BC?",
        ]),
        ("It took its present size", [
            "When did the theatre get its present size?",
            "When was the theatre enlarged?",
            "Has the theatre always been this size?",
        ]),
        ("The enlarged theatre could seat", [
            "How many people could the theatre seat?",
            "How many spectators fit in the theatre?",
            "How big an audience could the enlarged theatre hold?",
        ]),
        ("In a later rebuilding it was altered", [
            "Were there animal hunts in the theatre?",
            "Why was the theatre altered in a later rebuilding?",
            "What was the theatre changed for later?",
        ]),
        ("The theatre was excavated by", [
            "Who excavated the theatre?",
            "Which university museum dug at the theatre?",
            "Who uncovered the theatre of Kourion?",
            "Did the University of Pennsylvania Museum excavate the theatre?",
        ]),
        ("Today the restored theatre hosts", [
            "Are there performances in the theatre today?",
            "When are performances held in the theatre?",
            "Is the theatre still used?",
        ]),
    ],
    "kykkos-monastery": [
        ("Kykkos Monastery was founded", [
            "When was Kykkos Monastery founded?",
            "Which emperor reigned when Kykkos was founded?",
            "How old is Kykkos Monastery?",
        ]),
        ("It is dedicated to the Virgin Mary", [
            "Who is the monastery dedicated to?",
            "Is Kykkos dedicated to the Virgin Mary?",
            "To whom is Kykkos Monastery dedicated?",
        ]),
        ("The monastery keeps an icon", [
            "Who painted the icon of the Virgin?",
            "What icon does the monastery keep?",
            "Is the icon by the Apostle Luke?",
        ]),
        ("The icon is covered with silver-gilt", [
            "Can I see the painted faces of the icon?",
            "What is the icon covered with?",
            "Why are the faces of the icon hidden?",
        ]),
        ("The monastery stands on the north-western", [
            "Where is Kykkos Monastery?",
            "Which side of the Troodos is the monastery on?",
            "Is Kykkos in the Troodos mountains?",
            "Is the monastery on the north-western side of the mountains?",
        ]),
        ("Fire destroyed the monastery", [
            "Are any of the original buildings left?",
            "Was the monastery ever destroyed by fire?",
            "Why does nothing of the original monastery survive?",
        ]),
        ("Archbishop Makarios III, the first President", [
            "What is the connection between Makarios and Kykkos?",
            "Who was the first President of Cyprus?",
            "Where did Makarios III begin his religious life?",
        ]),
        ("Makarios III is buried", [
            "Where is Makarios buried?",
            "How far is Throni from the monastery?",
            "What is on the hill of Throni?",
        ]),
    ],
    "kyrenia-ship": [
        ("The Kyrenia ship is a Greek merchant ship", [
            "When did the Kyrenia ship sink?",
            "What kind of ship was it?",
            "Where did the ship sink?",
        ]),
        ("The diver Andreas Cariolou", [
            "Who found the wreck?",
            "When was the Kyrenia ship discovered?",
            "Who is Andreas Cariolou?",
        ]),
        ("The wreck was excavated in 1968", [
            "Who excavated the wreck?",
            "When was the wreck excavated?",
            "Who directed the excavation of the ship?",
            "Did Michael Katzev excavate the wreck?",
        ]),
        ("The cargo included nearly 400 amphoras", [
            "How many amphoras were in the cargo?",
            "Where were the amphoras made?",
            "What was the ship carrying?",
            "Were there amphoras from Rhodes on the ship?",
        ]),
        ("Thousands of almonds", [
            "Were there almonds on board?",
            "What food was found among the cargo?",
            "How many almonds were found?",
        ]),
        ("The hull had been repaired", [
            "How was the hull protected?",
            "Was the ship repaired?",
            "What was on the outside of the hull?",
        ]),
        ("The hull and cargo are displayed", [
            "Where can I see the ship?",
            "Where is the hull displayed?",
            "Which museum has the Kyrenia ship?",
            "Is the ship displayed in the Shipwreck Museum?",
        ]),
        ("A sailing replica of the ship", [
            "Is there a replica of the ship?",
            "What is Kyrenia II?",
            "When did the replica sail?",
        ]),
    ],
    "lefkara-lace": [
        ("Lefkara lace is a hand-made", [
            "What is Lefkara lace?",
            "Where does Lefkara lace come from?",
            "Is Lefkara lace made by hand?",
        ]),
        ("The lace-making tradition of Lefkara", [
            "How old is the lace-making tradition?",
            "When did lace-making start in Lefkara?",
            "Since which century has lace been made here?",
        ]),
        ("Its designs draw on local craft", [
            "Where do the lace designs come from?",
            "What influenced the designs of the lace?",
            "Did the Venetians influence Lefkara lace?",
            "Do the lace designs draw on Byzantine geometric patterns?",
        ]),
        ("Each piece combines four basic elements", [
            "What are the basic elements of the lace?",
            "How many basic elements does each piece combine?",
            "What stitches are used in each piece?",
        ]),
        ("The lace is worked with cotton thread", [
            "What is the lace made of?",
            "What thread is used for the lace?",
            "Is the lace worked on linen?",
            "Is the lace made with cotton thread?",
        ]),
        ("Lace-making is still the main occupation", [
            "Who makes the lace today?",
            "Is lace-making still important in the village?",
            "What is the main occupation of the women of the village?",
            "Do the women of the village still make lace?",
        ]),
        ("Girls learn the craft", [
            "How do girls learn lace-making?",
            "Who teaches the craft?",
            "How is the craft passed on?",
            "Do girls learn lace-making from their mothers and grandmothers?",
        ]),
        ("Lefkara lace was inscribed", [
            "Is Lefkara lace on a UNESCO list?",
            "When was Lefkara lace inscribed by UNESCO?",
            "Which UNESCO list includes the lace?",
        ]),
    ],
    "lemba": [
        ("Lemba-Lakkous is a Chalcolithic settlement", [
            "How far is Lemba from Paphos?",
            "What kind of site is Lemba-Lakkous?",
            "Where is the Lemba settlement?",
        ]),
        ("The villagers lived in clusters", [
            "What were the houses at Lemba built of?",
            "Did Lemba have a defensive wall?",
            "What shape were the houses?",
            "How did the villagers live?",
        ]),
        ("The Lemba Archaeological Project", [
            "Who excavated Lemba?",
            "When was Lemba excavated?",
            "Who led the Lemba Archaeological Project?",
        ]),
        ("A limestone female figure about 36 cm", [
            "What is the Lady of Lemba?",
            "How tall is the Lady of Lemba?",
            "Where was the Lady of Lemba found?",
            "What is the Lady of Lemba made of?",
        ]),
        ("The Lady of Lemba is displayed", [
            "Where can I see the Lady of Lemba?",
            "Which museum has the Lady of Lemba?",
            "Is the Lady of Lemba in Nicosia?",
        ]),
        ("Many small female figurines", [
            "What other figurines were found at Lemba?",
            "What were the small figurines made of?",
            "Were picrolite figurines found here?",
        ]),
        ("Replicas of Chalcolithic round houses", [
            "What is the experimental village?",
            "Are there replicas of the houses at Lemba?",
            "Why were round houses built beside the site?",
        ]),
    ],
    "panagia-angeloktisti": [
        ("The church of Panagia Angeloktisti stands", [
            "Where is Panagia Angeloktisti?",
            "Which village is the church in?",
            "Is the church near Larnaca?",
        ]),
        ("The name Angeloktisti means", [
            "What does Angeloktisti mean?",
            "Why is the church called Angeloktisti?",
            "Was the church built by angels?",
        ]),
        ("The present church dates from", [
            "How old is the present church?",
            "When was the present church built?",
            "Which century is the present church from?",
        ]),
        ("It was built over an early Christian basilica", [
            "What was here before the church?",
            "What is the church built over?",
            "Does anything of the older basilica survive?",
            "Was there an early Christian basilica here?",
        ]),
        ("The apse holds a mosaic", [
            "How old is the mosaic in the apse?",
            "Where is the mosaic in the church?",
            "When was the apse mosaic made?",
            "Is the apse mosaic from the 6th century?",
        ]),
        ("The mosaic shows the Virgin standing", [
            "What does the mosaic show?",
            "Who is shown in the apse mosaic?",
            "How many archangels are in the mosaic?",
        ]),
        ("A Greek label beside the Virgin", [
            "What does the label beside the Virgin say?",
            "What language is the label in?",
            "Is there writing in the mosaic?",
            "Is there a Greek label in the mosaic?",
        ]),
        ("It is one of the few church mosaics", [
            "Why is the mosaic so rare?",
            "Did the mosaic survive the Iconoclasm?",
            "Are there many church mosaics like this in Cyprus?",
        ]),
    ],
    "pomos-idol": [
        ("The Pomos idol is a cross-shaped", [
            "What is the Pomos idol made of?",
            "What shape is the Pomos idol?",
            "What is picrolite?",
            "What colour is the stone of the idol?",
        ]),
        ("It was made in the Chalcolithic period", [
            "How old is the Pomos idol?",
            "When was the idol made?",
            "In which period was the idol made?",
            "Was the idol made around 3000 BC?",
            "Is the Pomos idol from the Chalcolithic period?",
        ]),
        ("The figurine was found near the village", [
            "Where was the Pomos idol found?",
            "In which district was the figurine found?",
            "Why is it called the Pomos idol?",
            "Was the figurine found near the village of Pomos?",
        ]),
        ("The figure spreads her arms", [
            "What is the figure doing with her arms?",
            "How does the figure hold her arms?",
            "Are her arms spread out?",
        ]),
        ("Around her neck she wears", [
            "What does she wear around her neck?",
            "Is there a small figure on the idol's neck?",
            "What hangs around the neck of the figure?",
        ]),
        ("Such cross-shaped figurines", [
            "What do the cross-shaped figurines mean?",
            "Were these figurines symbols of fertility?",
            "How are such figurines usually interpreted?",
        ]),
        ("The idol is displayed", [
            "Where can I see the Pomos idol?",
            "Which museum displays the idol?",
            "Is the idol in Nicosia?",
            "Is the idol displayed in the Cyprus Museum?",
        ]),
        ("Since 2008 the Pomos idol", [
            "Which coins show the Pomos idol?",
            "Since when has the idol been on the euro coins?",
            "Is the Pomos idol on money?",
        ]),
    ],
    "saint-hilarion-castle": [
        ("The castle stands on a rocky peak", [
            "Where is Saint Hilarion Castle?",
            "What does the castle overlook?",
            "Is the castle on a mountain?",
            "Does the castle stand on a rocky peak?",
        ]),
        ("It is named after Hilarion", [
            "Who was Hilarion?",
            "Why is it called Saint Hilarion?",
            "Who is the castle named after?",
            "Was Hilarion a hermit who lived on the mountain?",
        ]),
        ("A Byzantine church and monastery", [
            "What was built on the site in the 10th century?",
            "Was there a monastery here before the castle?",
            "When was the Byzantine church built?",
        ]),
        ("With Buffavento and Kantara", [
            "Which other castles guarded the northern range?",
            "Was Saint Hilarion part of a chain of castles?",
            "What did Buffavento and Kantara guard?",
        ]),
        ("The Lusignan kings strengthened", [
            "What did the Lusignan kings use the castle for?",
            "Who strengthened the castle?",
            "Did the kings stay here in summer?",
        ]),
        ("The castle is built in three wards", [
            "How many wards does the castle have?",
            "Did each ward have its own water?",
            "How is the castle laid out?",
        ]),
        ("Under Venetian rule the castle", [
            "What happened to the castle under the Venetians?",
            "Why did the Venetians neglect the castle?",
            "Which castles did the Venetians rely on?",
        ]),
    ],
    "salamis": [
        ("According to legend, Salamis was founded", [
            "Who founded Salamis?",
            "What is the legend of how Salamis was founded?",
            "Who was Teucer?",
            "When was Salamis founded, according to legend?",
        ]),
        ("Salamis was one of the leading", [
            "Was Salamis an important city?",
            "What was Salamis in ancient times?",
            "Was Salamis one of the leading kingdoms?",
        ]),
        ("The so-called Royal Tombs", [
            "What was found in the Royal Tombs?",
            "Were horses buried in the tombs?",
            "What were the funeral chariots buried with?",
        ]),
        ("King Evagoras I of Salamis", [
            "Who was Evagoras I?",
            "When did King Evagoras rule?",
            "Which king of Salamis ruled in the 4th century BC?",
        ]),
        ("The Acts of the Apostles say", [
            "Did Paul visit Salamis?",
            "Who preached in the synagogues of Salamis?",
            "What do the Acts of the Apostles say about Salamis?",
        ]),
        ("After earthquakes in the 4th century AD", [
            "What was Salamis renamed?",
            "Why was the city rebuilt?",
            "What is Constantia?",
            "When was Salamis renamed Constantia?",
        ]),
        ("The city was abandoned after the Arab raids", [
            "When was Salamis abandoned?",
            "Why did people leave Salamis?",
            "What happened to the city in the 7th century AD?",
            "Was Salamis abandoned after the Arab raids?",
        ]),
        ("Vassos Karageorghis excavated", [
            "Who excavated the Royal Tombs?",
            "When were the Royal Tombs excavated?",
            "Which archaeologist worked at the Royal Tombs?",
        ]),
    ],
    "sanctuary-of-aphrodite-palaepaphos": [
        ("Palaepaphos lies in the village", [
            "Where is Palaepaphos?",
            "How far is the sanctuary from Paphos?",
            "Which village is Palaepaphos in?",
            "How many km is Palaepaphos from the modern town of Paphos?",
        ]),
        ("The first sanctuary of the goddess", [
            "When was the first sanctuary built?",
            "How old is the sanctuary of Aphrodite?",
            "In which age was the first sanctuary built?",
        ]),
        ("The goddess was worshipped here", [
            "How was Aphrodite worshipped here?",
            "Was there a statue of the goddess?",
            "What is the conical stone?",
        ]),
        ("Homer's Odyssey names Paphos", [
            "Does Homer mention Paphos?",
            "What does the Odyssey say about Paphos?",
            "Which poem names the fragrant altar of Aphrodite?",
        ]),
        ("The kings of Paphos also held", [
            "Who was the high priest of the goddess?",
            "Were the kings of Paphos also priests?",
            "What title did the kings of Paphos hold?",
        ]),
        ("A new Roman sanctuary was built", [
            "When was the Roman sanctuary built?",
            "Was there a Roman sanctuary here?",
            "Where was the new Roman sanctuary built?",
        ]),
        ("The sanctuary at Kouklia is part", [
            "Is the sanctuary a World Heritage site?",
            "When was the sanctuary inscribed by UNESCO?",
            "Which World Heritage site includes the sanctuary?",
        ]),
    ],
    "selimiye-mosque": [
        ("Work on the Latin cathedral", [
            "When did work on the cathedral begin?",
            "How old is the cathedral of Saint Sophia?",
            "When was the Latin cathedral started?",
        ]),
        ("The cathedral was consecrated", [
            "When was the cathedral consecrated?",
            "Was the cathedral finished when it was consecrated?",
            "What happened to the cathedral in 1326?",
        ]),
        ("It is built in the French Gothic style", [
            "What style is the cathedral?",
            "Is the building Gothic?",
            "In which style was Saint Sophia built?",
        ]),
        ("The Lusignan kings were crowned", [
            "Who was crowned in this cathedral?",
            "Were kings crowned here?",
            "Where were the Lusignan kings crowned?",
        ]),
        ("After the Ottoman capture of Nicosia", [
            "When did the cathedral become a mosque?",
            "Why was the cathedral turned into a mosque?",
            "What happened to the cathedral in 1570?",
        ]),
        ("Two minarets were added", [
            "How many minarets does the mosque have?",
            "Where were the minarets added?",
            "Were the western towers ever finished?",
        ]),
        ("In 1954 the mosque was renamed", [
            "Why is it called the Selimiye Mosque?",
            "When was the mosque renamed?",
            "Who is the mosque named after?",
        ]),
    ],
    "tombs-of-the-kings": [
        ("The Tombs of the Kings are a large necropolis", [
            "Where are the Tombs of the Kings?",
            "How far are the tombs from Paphos harbour?",
            "What are the Tombs of the Kings?",
        ]),
        ("The underground tombs are carved", [
            "What are the tombs carved out of?",
            "Are the tombs underground?",
            "How were the tombs made?",
        ]),
        ("Many of the tombs date from", [
            "How old are the tombs?",
            "In which periods were the tombs used?",
            "When do the tombs date from?",
        ]),
        ("No kings were buried here", [
            "Were kings buried in the Tombs of the Kings?",
            "Why are they called the Tombs of the Kings?",
            "Where does the name of the tombs come from?",
        ]),
        ("Several tombs have an open courtyard", [
            "What columns do the tombs have?",
            "Do the tombs have courtyards?",
            "What style are the columns in the courtyards?",
        ]),
        ("The design of many tombs imitates", [
            "Why do the tombs look like houses?",
            "What does the design of the tombs imitate?",
            "Were the tombs made to look like houses of the living?",
        ]),
        ("The Department of Antiquities began", [
            "When did the excavation of the necropolis begin?",
            "Who excavated the Tombs of the Kings?",
            "Since when has the necropolis been excavated?",
            "When did the Department of Antiquities begin excavating the necropolis?",
        ]),
        ("The necropolis is part of the Paphos", [
            "Are the tombs a World Heritage site?",
            "When was the necropolis inscribed by UNESCO?",
            "Which World Heritage site includes the necropolis?",
        ]),
    ],
    "venetian-walls-nicosia": [
        ("The Venetians began building", [
            "When were the Venetian walls built?",
            "Who built the walls of Nicosia?",
            "When did the Venetians begin the fortifications?",
            "When did the Venetians begin building new fortifications around Nicosia?",
        ]),
        ("The walls were designed by", [
            "Who designed the walls?",
            "Who was Giulio Savorgnan?",
            "Which engineer designed the fortifications?",
        ]),
        ("The walls form a star shape", [
            "How many bastions do the walls have?",
            "What shape are the walls?",
            "Do the walls form a star?",
        ]),
        ("The bastions are named after", [
            "Who are the bastions named after?",
            "Where do the names of the bastions come from?",
            "Are the bastions named after noble families?",
        ]),
        ("The walls had only three gates", [
            "How many gates did the walls have?",
            "What are the names of the gates?",
            "Is there a Kyrenia Gate?",
        ]),
        ("The Famagusta Gate, the largest", [
            "Which is the largest gate?",
            "Which way does the Famagusta Gate face?",
            "Is the Famagusta Gate the biggest of the gates?",
        ]),
        ("An Ottoman army under Lala Mustafa Pasha", [
            "When did the Ottomans capture Nicosia?",
            "Who led the Ottoman army?",
            "Who was Lala Mustafa Pasha?",
        ]),
    ],
}  # fmt: skip

UNANSWERABLE: dict[str, list[str]] = {
    "amathus": ["How many people lived in Amathus at its height?", "Who was the last king of Amathus?"],
    "asinou-church": ["How many people can the church hold?", "Who painted the wall paintings?"],
    "bellapais-abbey": ["How many canons lived at the abbey?", "Who designed the cloister?"],
    "buyuk-han": ["How many rooms does the inn have?", "Who designed the Büyük Han?"],
    "choirokoitia": ["What did the people of Choirokoitia eat?", "What language did they speak here?"],
    "church-of-saint-lazarus": ["Who designed the bell tower?", "How many icons are in the church?"],
    "commandaria": ["How many bottles of Commandaria are made each year?", "How much does a bottle cost?"],
    "cyprus-museum": ["How many objects does the museum hold?", "How much is the entrance ticket?"],
    "enkomi": ["How many people lived at Enkomi?", "Why was Enkomi abandoned?"],
    "hala-sultan-tekke": ["How many pilgrims visit each year?", "Who designed the mosque?"],
    "house-of-dionysos-mosaics": ["Who owned the villa?", "How many rooms did the villa have?"],
    "house-of-eustolios": ["When did Eustolios die?", "How big was the house?"],
    "idalion-tablet": ["How much does the tablet weigh?", "Who found the tablet?"],
    "kalavasos-tenta": ["How many people lived at Tenta?", "What crops did the people of Tenta grow?"],
    "kition": ["How many people lived in ancient Kition?", "What was the name of the last king of Kition?"],
    "kolossi-castle": ["How tall is the keep?", "How many knights lived in the castle?"],
    "kourion-theatre": ["Which plays were performed here in Roman times?", "What did a seat cost in ancient times?"],
    "kykkos-monastery": ["How many monks live at Kykkos today?", "Who built the bell tower?"],
    "kyrenia-ship": ["How many sailors were on board?", "Why did the ship sink?"],
    "lefkara-lace": ["How long does it take to make one piece?", "How much does a tablecloth cost?"],
    "lemba": ["How many people lived at Lemba?", "What did the villagers eat?"],
    "panagia-angeloktisti": ["Who made the mosaic?", "How many people can the church hold?"],
    "pomos-idol": ["How tall is the Pomos idol?", "Who found the idol?"],
    "saint-hilarion-castle": ["How many soldiers guarded the castle?", "Who designed the castle?"],
    "salamis": ["How many people lived in Salamis?", "Who was the last king of Salamis?"],
    "sanctuary-of-aphrodite-palaepaphos": ["How many priests served in the sanctuary?", "What offerings did pilgrims bring?"],
    "selimiye-mosque": ["How tall are the minarets?", "Who was the architect of the cathedral?"],
    "tombs-of-the-kings": ["How many people were buried here?", "Who was the first person buried in the necropolis?"],
    "venetian-walls-nicosia": ["How long are the walls?", "How many soldiers defended the walls in 1570?"],
}  # fmt: skip


def questions_for(exhibit_id: str, fact_text: str) -> list[str]:
    """The hand-written questions a fact answers ([] when none are written for it)."""
    for start, questions in FACT_QUESTIONS.get(exhibit_id, []):
        if fact_text.startswith(start):
            return list(questions)
    return []
