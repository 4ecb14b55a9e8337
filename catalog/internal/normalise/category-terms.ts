/**
 * The term table of category mapping: source category terms in German, French, Spanish, English,
 * Italian and Dutch, and the schema.org Event subtypes, to a taxonomy path (`music` or
 * `music/classical`). Keys are matched folded (case, diacritics, punctuation ignored), so one
 * spelling per word is enough: `Théâtre` finds `theatre`, `Stand-up` finds `stand up`.
 *
 * Only terms that name a kind of event are here. A word that could be several things without
 * context (`Show`, `Premiere`, `House`) is left out, so it is reported as unmapped rather than
 * guessed.
 */

/** Terms per taxonomy path; each string holds one or more terms separated by `|`. */
export const TERMS: Readonly<Record<string, readonly string[]>> = {
  // ---- music
  music: [
    'Konzert|Konzerte|Musik|Live-Musik|Livemusik|concert|concerts|musique|concierto|conciertos',
    'música|musica|music|live music|concerto|concerti|muziek|MusicEvent',
  ],
  'music/classical': [
    'Klassik|klassische Musik|Kammermusik|Sinfoniekonzert|Symphoniekonzert|Orchesterkonzert',
    'Liederabend|Klavierabend|concert classique|musique classique|musique de chambre|classique',
    'música clásica|clásica|clásico|música de cámara|classical|classical music|chamber music',
    'musica classica|klassiek|klassieke muziek|kamermuziek',
  ],
  'music/opera': ['Oper|Opern|Operette|opéra|ópera|opera|zarzuela|opera lirica'],
  'music/jazz': ['Jazz|Jazzkonzert|concert de jazz|Swing'],
  'music/rock': ['Rock|Rockkonzert|Indie|Punk'],
  'music/pop': ['Pop|Popmusik|Chanson|Schlager'],
  'music/electronic': [
    'Elektro|Electro|elektronische Musik|electronic|electronic music|musique électronique',
    'música electrónica|Techno|Clubnacht|DJ',
  ],
  'music/hip-hop': ['Hip-Hop|Hiphop|Rap'],
  'music/folk': [
    'Folk|Volksmusik|musique traditionnelle|música tradicional|folk music|Singer-Songwriter',
    'Liedermacher',
  ],
  'music/world': ['Weltmusik|world music|musiques du monde|músicas del mundo'],
  'music/choir': ['Chor|Chorkonzert|chorale|chœur|coro|choir|koor'],
  'music/metal': ['Metal|Heavy Metal'],
  'music/blues': ['Blues'],
  // ---- theatre
  theatre: ['Theater|Bühne|théâtre|teatro|theatre|toneel|TheaterEvent'],
  'theatre/drama': ['Schauspiel|Drama|Tragödie|drame|tragédie|tragedia'],
  'theatre/comedy': ['Komödie|Lustspiel|comédie|comedia|commedia|komedie'],
  'theatre/musical': ['Musical|Musicals|comédie musicale|teatro musical'],
  'theatre/puppetry': [
    'Puppentheater|Figurentheater|Puppenspiel|marionnettes|théâtre de marionnettes|títeres',
    'marionetas|puppetry|poppentheater',
  ],
  'theatre/improv': [
    'Improtheater|Improvisationstheater|théâtre d’improvisation|impro|improvisation',
    'teatro de improvisación',
  ],
  'theatre/cabaret': ['Kabarett|Cabaret|Varieté|Kleinkunst'],
  // ---- dance
  dance: ['Tanz|Tanztheater|danse|danza|baile|dance|dans|DanceEvent'],
  'dance/ballet': ['Ballett|ballet|balletto'],
  'dance/contemporary': [
    'zeitgenössischer Tanz|moderner Tanz|danse contemporaine|danza contemporánea',
    'contemporary dance|danza contemporanea|moderne dans',
  ],
  'dance/tango': ['Tango|Milonga'],
  'dance/flamenco': ['Flamenco|tablao'],
  'dance/hip-hop': ['Breakdance|Streetdance|danse hip-hop|hip-hop dance'],
  'dance/folk': ['Volkstanz|danse folklorique|danza folclórica|folk dance'],
  // ---- exhibition
  exhibition: [
    'Ausstellung|Ausstellungen|Sonderausstellung|Dauerausstellung|exposition|expo|exposición',
    'muestra|exhibition|mostra|tentoonstelling|Museum|musée|museo|ExhibitionEvent',
  ],
  'exhibition/art': [
    'Kunst|bildende Kunst|Malerei|Kunstausstellung|art|arts plastiques|beaux-arts',
    'art contemporain|peinture|arte|arte contemporáneo|pintura|painting|visual arts|fine art',
    'kunst|VisualArtsEvent',
  ],
  'exhibition/photography': [
    'Fotografie|Fotoausstellung|photographie|photo|fotografía|photography|fotografia',
  ],
  'exhibition/design': ['Design|diseño'],
  'exhibition/history': ['Geschichte|histoire|historia|history|storia|geschiedenis'],
  'exhibition/science': ['Wissenschaft|sciences|ciencia|science|scienza|wetenschap'],
  'exhibition/architecture': ['Architektur|architecture|arquitectura|architettura|architectuur'],
  // ---- cinema
  cinema: ['Kino|Film|Filme|cinéma|ciné|cine|película|cinema|films|bioscoop|ScreeningEvent'],
  'cinema/premiere': ['Filmpremiere|avant-première|preestreno|film premiere'],
  'cinema/classic': [
    'Filmklassiker|cine clásico|classique du cinéma|ciné-club|cineclub|classic film',
    'classic films|cult film|Kultfilm',
  ],
  'cinema/documentary': [
    'Dokumentarfilm|Doku|documentaire|documental|documentary|documentario|documentaire film',
  ],
  'cinema/open-air': [
    'Open-Air-Kino|Freiluftkino|Sommerkino|cinéma en plein air|cine de verano|open-air cinema',
    'outdoor cinema',
  ],
  'cinema/animation': [
    'Animationsfilm|Trickfilm|film d’animation|cine de animación|animación|animation',
    'animated film',
  ],
  // ---- comedy
  comedy: ['Comedy|humour|humor|umorismo|ComedyEvent'],
  'comedy/stand-up': ['Stand-up|Standup|Stand-up-Comedy|stand-up comedy|one-man-show|monólogo|monólogos'],
  'comedy/sketch': ['Sketch|Sketche|sketchs|sketches'],
  'comedy/improv': ['Impro-Comedy|improv|improv comedy'],
  // ---- festival (a container: see category.ts)
  festival: ['Festival|Festivals|Festspiele|festivales'],
  'festival/music': ['Musikfestival|festival de musique|festival de música|music festival|Open Air'],
  'festival/film': ['Filmfestival|Filmfestspiele|festival de cinéma|festival de cine|film festival'],
  'festival/arts': ['Kunstfestival|festival des arts|arts festival'],
  'festival/food': ['Food-Festival|Streetfood|festival gastronomique|food festival'],
  'festival/literature': ['Literaturfestival|festival littéraire|festival de literatura|literature festival'],
  // ---- talk
  talk: ['Gespräch|Künstlergespräch|rencontre|encuentro|talk|talks|EducationEvent'],
  'talk/lecture': ['Vortrag|Vorlesung|conférence|conferencia|lecture|conferenza|lezing'],
  'talk/reading': [
    'Lesung|Literatur|Lyrik|Poesie|lecture publique|littérature|poésie|lectura|literatura',
    'poesía|reading|literature|poetry|letteratura|voorlezing|LiteraryEvent',
  ],
  'talk/panel': [
    'Podiumsdiskussion|Diskussion|débat|table ronde|mesa redonda|coloquio|debate|panel',
    'panel discussion',
  ],
  'talk/workshop': ['Workshop|Kurs|atelier|taller|laboratorio|cursus'],
  'talk/tour': [
    'Führung|Führungen|Stadtführung|Kuratorenführung|visite guidée|visita guiada|guided tour',
    'rondleiding',
  ],
  // ---- family
  family: ['Familie|Familien|famille|familia|familiar|family|famiglia|gezin'],
  'family/children': [
    'Kinder|für Kinder|Kindertheater|Kinderkonzert|enfants|jeune public|infantil|niños|kids',
    'children|bambini|kinderen|ChildrensEvent',
  ],
  'family/workshop': ['Kinderworkshop|atelier enfants|taller infantil'],
  'family/circus': ['Zirkus|cirque|circo|circus'],
};

/**
 * Terms whose meaning depends on the listing's language, over the table above: French `lecture`
 * is a reading, English (and the table's) `lecture` a lecture.
 */
export const LANGUAGE_TERMS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  fr: { lecture: 'talk/reading', lectures: 'talk/reading', art: 'exhibition/art' },
  en: { lecture: 'talk/lecture', lectures: 'talk/lecture' },
  it: { concerto: 'music', lettura: 'talk/reading' },
};

/** Generic words (`Event`, `Veranstaltung`): neither mapped nor counted as unmapped. */
export const GENERIC_TERMS: readonly string[] = [
  'Event|Events|Veranstaltung|Veranstaltungen|événement|événements|evento|eventos|eventi',
  'evenement|Thing|Sonstiges|Sonstige|divers|autres|otros|altro|overig|other|misc|Kultur',
  'culture|cultura|cultuur',
].flatMap((line) => line.split('|'));

/**
 * The subcategory a category's bare term implies when no term names one: the catalogue's
 * exhibitions are art unless a term says photography, design …; a play is drama unless a term
 * says comedy, musical …; a comedy night is stand-up unless a term says sketch or improv.
 */
export const DEFAULT_SUBCATEGORY: Readonly<Record<string, string>> = {
  exhibition: 'art',
  theatre: 'drama',
  comedy: 'stand-up',
};
