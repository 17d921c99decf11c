package main

// The application as the onboarding app posts it. The validate tags are the
// compliance team's field rules (see validate.go for the rule names).

type address struct {
	Line1    string `json:"line1" validate:"required,max=120"`
	Line2    string `json:"line2" validate:"max=120"`
	City     string `json:"city" validate:"required,max=80"`
	Postcode string `json:"postcode" validate:"required,min=3,max=12,charset=alnum-space"`
	Country  string `json:"country" validate:"required,len=2,oneof=AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TZ UA UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW"`
	Since    string `json:"since" validate:"date"`
}

type document struct {
	Kind     string `json:"kind" validate:"required,oneof=passport id_card driving_licence residence_permit utility_bill bank_statement"`
	Number   string `json:"number" validate:"required,min=5,max=20,charset=alnum"`
	Issuer   string `json:"issuer" validate:"required,len=2,oneof=AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TZ UA UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW"`
	Expires  string `json:"expires" validate:"required,date"`
	ImageRef string `json:"image_ref" validate:"required,prefix=s3://kyc-uploads/"`
}

type transaction struct {
	Date         string  `json:"date" validate:"required,date"`
	AmountMinor  int64   `json:"amount_minor" validate:"nonzero"`
	Currency     string  `json:"currency" validate:"required,len=3,oneof=AED AUD BGN BRL CAD CHF CNY CZK DKK EUR GBP HKD HUF IDR ILS INR ISK JPY KRW MXN MYR NOK NZD PHP PLN RON SEK SGD THB TRY USD ZAR"`
	Counterparty string  `json:"counterparty" validate:"required,max=140"`
	Category     string  `json:"category" validate:"required,oneof=salary pension dividends rent sale_of_property gift inheritance business_income savings loan other"`
	Reference    string  `json:"reference" validate:"max=140"`
	FXRate       float64 `json:"fx_rate" validate:"gte=0"`
}

type fundsStatement struct {
	Bank         string        `json:"bank" validate:"required,max=80"`
	IBAN         string        `json:"iban" validate:"required,min=15,max=34,charset=alnum"`
	Transactions []transaction `json:"transactions" validate:"required,dive"`
}

type application struct {
	ID          string         `json:"id" validate:"required,max=40"`
	GivenName   string         `json:"given_name" validate:"required,max=80"`
	FamilyName  string         `json:"family_name" validate:"required,max=80"`
	BirthDate   string         `json:"birth_date" validate:"required,date"`
	Nationality string         `json:"nationality" validate:"required,len=2,oneof=AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TZ UA UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW"`
	Email       string         `json:"email" validate:"required,email,max=254"`
	Phone       string         `json:"phone" validate:"required,min=6,max=20,charset=phone"`
	Addresses   []address      `json:"addresses" validate:"required,dive"`
	Documents   []document     `json:"documents" validate:"required,dive"`
	Funds       fundsStatement `json:"funds"`
	Consents    []string       `json:"consents" validate:"required"`
}
