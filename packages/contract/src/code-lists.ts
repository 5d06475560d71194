/**
 * Labels of every code list in English, Serbian (Latin and Cyrillic script) and Albanian, served at
 * `GET /v1/code-lists`. The codes themselves are the contract's enums (one source): each table is
 * typed by its enum, so a code without labels does not compile, and code-lists.test.ts checks that
 * no table has a code its enum lacks.
 */
import type { CodeLists, Labels } from './schemas/code-lists.ts';
import { DataCategory, Outcome, PersonCategory, Phase, RejectionReason, RiskLevel, RiskThreat, ServiceCode, Urgency } from './schemas/referral.ts';

/** The languages every label is given in. */
export const LABEL_LANGUAGES = ['en', 'sr-Latn', 'sr-Cyrl', 'sq'] as const;

const label = (en: string, srLatn: string, srCyrl: string, sq: string): Labels => ({ en, 'sr-Latn': srLatn, 'sr-Cyrl': srCyrl, sq });

const services: Record<ServiceCode, Labels> = {
  SAFE_ACCOMMODATION: label('Safe accommodation', 'Bezbedan smeštaj', 'Безбедан смештај', 'Strehim i sigurt'),
  PRIMARY_MEDICAL_CARE: label('Primary medical care', 'Primarna zdravstvena zaštita', 'Примарна здравствена заштита', 'Kujdes shëndetësor parësor'),
  MEDICAL_SPECIALIST_REFERRAL: label('Referral to a medical specialist', 'Upućivanje lekaru specijalisti', 'Упућивање лекару специјалисти', 'Referim te mjeku specialist'),
  HEALTH_EDUCATION: label('Health education', 'Zdravstveno vaspitanje', 'Здравствено васпитање', 'Edukim shëndetësor'),
  PSYCHOSOCIAL_SUPPORT: label('Psychosocial support', 'Psihosocijalna podrška', 'Психосоцијална подршка', 'Mbështetje psikosociale'),
  PSYCHOLOGICAL_COUNSELLING: label('Psychological counselling', 'Psihološko savetovanje', 'Психолошко саветовање', 'Këshillim psikologjik'),
  LEGAL_COUNSELLING: label('Legal counselling', 'Pravno savetovanje', 'Правно саветовање', 'Këshillim juridik'),
  PSYCHOTHERAPY: label('Psychotherapy', 'Psihoterapija', 'Психотерапија', 'Psikoterapi'),
  EDUCATION_AND_VOCATIONAL_TRAINING: label('Education and vocational training', 'Obrazovanje i stručna obuka', 'Образовање и стручна обука', 'Arsimim dhe aftësim profesional'),
  EMPOWERMENT: label('Empowerment', 'Osnaživanje', 'Оснаживање', 'Fuqizim'),
  FAMILY_MEDIATION: label('Family mediation', 'Porodična medijacija', 'Породична медијација', 'Ndërmjetësim familjar'),
  SOCIAL_AND_ECONOMIC_REINTEGRATION: label('Social and economic reintegration', 'Socijalna i ekonomska reintegracija', 'Социјална и економска реинтеграција', 'Riintegrim social dhe ekonomik'),
  LEGAL_STATUS_AND_DOCUMENTS: label('Legal status and documents', 'Pravni status i dokumenta', 'Правни статус и документа', 'Statusi ligjor dhe dokumentet'),
  SUPPORT_IN_PROCEEDINGS: label('Support in proceedings', 'Podrška u postupcima', 'Подршка у поступцима', 'Mbështetje në procedura'),
  SAFE_RETURN: label('Safe return', 'Bezbedan povratak', 'Безбедан повратак', 'Kthim i sigurt'),
};

const personCategories: Record<PersonCategory, Labels> = {
  TRAFFICKING_VICTIM: label('Victim of human trafficking', 'Žrtva trgovine ljudima', 'Жртва трговине људима', 'Viktimë e trafikimit me qenie njerëzore'),
  PRESUMED_TRAFFICKING_VICTIM: label('Presumed victim of human trafficking', 'Pretpostavljena žrtva trgovine ljudima', 'Претпостављена жртва трговине људима', 'Viktimë e supozuar e trafikimit me qenie njerëzore'),
  GBV_VICTIM: label('Victim of gender-based violence', 'Žrtva rodno zasnovanog nasilja', 'Жртва родно заснованог насиља', 'Viktimë e dhunës me bazë gjinore'),
  AT_RISK: label('Person at risk', 'Osoba u riziku', 'Особа у ризику', 'Person në rrezik'),
};

const phases: Record<Phase, Labels> = {
  IDENTIFICATION: label('Identification', 'Identifikacija', 'Идентификација', 'Identifikimi'),
  FIRST_ASSISTANCE: label('First assistance', 'Početna pomoć', 'Почетна помоћ', 'Asistenca fillestare'),
  LONG_TERM_ASSISTANCE: label('Long-term assistance', 'Dugoročna pomoć', 'Дугорочна помоћ', 'Asistenca afatgjatë'),
  RETURN: label('Return', 'Povratak', 'Повратак', 'Kthimi'),
  PROCEEDINGS: label('Legal proceedings', 'Pravni postupci', 'Правни поступци', 'Procedurat ligjore'),
};

const urgencies: Record<Urgency, Labels> = {
  EMERGENCY: label('Emergency', 'Hitan slučaj', 'Хитан случај', 'Emergjente'),
  URGENT: label('Urgent', 'Hitno', 'Хитно', 'Urgjente'),
  ROUTINE: label('Routine', 'Redovno', 'Редовно', 'Rutinore'),
};

const rejectionReasons: Record<RejectionReason, Labels> = {
  NO_CAPACITY: label('No capacity', 'Nema slobodnih kapaciteta', 'Нема слободних капацитета', 'Nuk ka kapacitete të lira'),
  SERVICE_NOT_PROVIDED: label('The organisation does not provide this service', 'Organizacija ne pruža ovu uslugu', 'Организација не пружа ову услугу', 'Organizata nuk e ofron këtë shërbim'),
  OUTSIDE_AREA: label('Outside the service area', 'Van područja delovanja', 'Ван подручја деловања', 'Jashtë zonës së shërbimit'),
  NOT_ELIGIBLE: label('Eligibility criteria not met', 'Ne ispunjava uslove', 'Не испуњава услове', 'Nuk i plotëson kriteret'),
  INSUFFICIENT_INFORMATION: label('Insufficient information', 'Nedovoljno informacija', 'Недовољно информација', 'Informacion i pamjaftueshëm'),
  PERSON_DECLINED: label('The person declined', 'Osoba je odbila', 'Особа је одбила', 'Personi refuzoi'),
  PERSON_UNREACHABLE: label('The person could not be reached', 'Osoba nije dostupna', 'Особа није доступна', 'Personi nuk mund të kontaktohej'),
  DUPLICATE: label('Duplicate referral', 'Dupli uput', 'Дупли упут', 'Referim i dyfishtë'),
  OTHER: label('Other', 'Drugo', 'Друго', 'Tjetër'),
};

const outcomes: Record<Outcome, Labels> = {
  SERVICE_PROVIDED: label('Service provided', 'Usluga pružena', 'Услуга пружена', 'Shërbimi u ofrua'),
  PARTIALLY_PROVIDED: label('Service partly provided', 'Usluga delimično pružena', 'Услуга делимично пружена', 'Shërbimi u ofrua pjesërisht'),
  REFERRED_ONWARD: label('Referred onward', 'Upućeno dalje', 'Упућено даље', 'U referua më tej'),
  PERSON_DISCONTINUED: label('The person discontinued', 'Osoba je prekinula', 'Особа је прекинула', 'Personi e ndërpreu'),
  PERSON_RETURNED: label('The person returned home', 'Osoba se vratila kući', 'Особа се вратила кући', 'Personi u kthye në shtëpi'),
  OTHER: label('Other', 'Drugo', 'Друго', 'Tjetër'),
};

const riskThreats: Record<RiskThreat, Labels> = {
  TRAFFICKER_CONTACT: label('Contact with traffickers', 'Kontakt sa trgovcima ljudima', 'Контакт са трговцима људима', 'Kontakt me trafikantët'),
  PERPETRATOR_CONTACT: label('Contact with the perpetrator', 'Kontakt sa počiniocem', 'Контакт са починиоцем', 'Kontakt me autorin e dhunës'),
  RETRAFFICKING: label('Risk of re-trafficking', 'Rizik od ponovnog trgovanja', 'Ризик од поновног трговања', 'Rrezik i ritrafikimit'),
  SELF_HARM: label('Self-harm', 'Samopovređivanje', 'Самоповређивање', 'Vetëdëmtim'),
  HEALTH_EMERGENCY: label('Health emergency', 'Hitno zdravstveno stanje', 'Хитно здравствено стање', 'Emergjencë shëndetësore'),
  STALKING: label('Stalking', 'Proganjanje', 'Прогањање', 'Përndjekje'),
  FAMILY_PRESSURE: label('Pressure from the family', 'Pritisak porodice', 'Притисак породице', 'Presion nga familja'),
  DEBT_BONDAGE: label('Debt bondage', 'Dužničko ropstvo', 'Дужничко ропство', 'Skllavëri për borxh'),
};

const riskLevels: Record<RiskLevel, Labels> = {
  LOW: label('Low', 'Nizak', 'Низак', 'I ulët'),
  MEDIUM: label('Medium', 'Srednji', 'Средњи', 'I mesëm'),
  HIGH: label('High', 'Visok', 'Висок', 'I lartë'),
  CRITICAL: label('Critical', 'Kritičan', 'Критичан', 'Kritik'),
};

const dataCategories: Record<DataCategory, Labels> = {
  IDENTITY: label('Identity', 'Identitet', 'Идентитет', 'Identiteti'),
  AGE: label('Age', 'Starost', 'Старост', 'Mosha'),
  GENDER: label('Gender', 'Pol', 'Пол', 'Gjinia'),
  LANGUAGE: label('Language', 'Jezik', 'Језик', 'Gjuha'),
  FAMILY: label('Family', 'Porodica', 'Породица', 'Familja'),
  HEALTH: label('Health', 'Zdravlje', 'Здравље', 'Shëndeti'),
  NATIONALITY: label('Nationality', 'Državljanstvo', 'Држављанство', 'Shtetësia'),
  DOCUMENTS: label('Documents', 'Dokumenta', 'Документа', 'Dokumentet'),
  CASE_NOTES: label('Case notes', 'Beleške o slučaju', 'Белешке о случају', 'Shënime për rastin'),
};

/** Each code list: its enum (the codes, in contract order) and its labels. */
export const codeListTables = {
  services: { codes: ServiceCode.options, labels: services },
  personCategories: { codes: PersonCategory.options, labels: personCategories },
  phases: { codes: Phase.options, labels: phases },
  urgencies: { codes: Urgency.options, labels: urgencies },
  rejectionReasons: { codes: RejectionReason.options, labels: rejectionReasons },
  outcomes: { codes: Outcome.options, labels: outcomes },
  riskThreats: { codes: RiskThreat.options, labels: riskThreats },
  riskLevels: { codes: RiskLevel.options, labels: riskLevels },
  dataCategories: { codes: DataCategory.options, labels: dataCategories },
} as const;

/** The body of `GET /v1/code-lists`: every code, in enum order, with its labels. */
export function codeLists(): CodeLists {
  const list = <C extends string>(t: { codes: readonly C[]; labels: Record<C, Labels> }) => t.codes.map((code) => ({ code, labels: t.labels[code] }));
  const t = codeListTables;
  return {
    services: list(t.services),
    personCategories: list(t.personCategories),
    phases: list(t.phases),
    urgencies: list(t.urgencies),
    rejectionReasons: list(t.rejectionReasons),
    outcomes: list(t.outcomes),
    riskThreats: list(t.riskThreats),
    riskLevels: list(t.riskLevels),
    dataCategories: list(t.dataCategories),
  };
}
