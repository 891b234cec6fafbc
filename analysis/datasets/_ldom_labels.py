"""Raw headers and Portuguese labels of the LDOM twin (private helper).

:data:`PREFERRED` lists the labels the clinic writes most of the time for each level (drawn ~85% of
the time; otherwise any label the study vocabulary accepts for the level). Every label drawn is
checked against the study YAML's vocabularies before it is written, so the YAML's synonyms must
cover these lists.
"""

from __future__ import annotations

from collections.abc import Mapping

FILE = "exportacao_ldom.xlsx"
PATIENT_SHEET, DOSE_SHEET = "Pacientes", "Doses"
N_AE_SLOTS = 3

#: canonical column -> header of the ``Pacientes`` sheet (one row per patient).
PATIENT_HEADERS = {
    "patient_id": "Nº processo",
    "sex": "Sexo",
    "age_years": "Idade",
    "diagnosis": "Diagnóstico",
    "has_hypertension": "Hipertensão",
    "has_topical_treatment": "Tratamento tópico associado",
    "last_visit_date": "Última consulta",
    "is_discontinued": "Suspensão",
    "discontinuation_date": "Data suspensão",
    "discontinuation_reason": "Motivo suspensão",
}
#: canonical column -> header template of one adverse-event group ("{i}" = 1, 2, 3).
AE_HEADERS = {
    "ae_term": "Efeito adverso {i}",
    "onset_date": "Data EA {i}",
    "severity": "Gravidade EA {i}",
    "action_taken": "Ação EA {i}",
}
#: canonical column -> header of the ``Doses`` sheet (one row per dose period).
DOSE_HEADERS = {
    "patient_id": "Nº processo",
    "dose_text": "Dose",
    "start_date": "Início",
    "stop_date": "Fim",
}
#: canonical column -> vocabulary of the study YAML.
VOCABULARY_OF = {
    "sex": "sex",
    "diagnosis": "diagnosis",
    "has_hypertension": "yes_no",
    "has_topical_treatment": "yes_no",
    "is_discontinued": "yes_no",
    "discontinuation_reason": "discontinuation_reason",
    "ae_term": "ae_term",
    "severity": "severity",
    "action_taken": "action_taken",
    "dose_text": "dose",
}


def patient_headers() -> list[str]:
    """All headers of the ``Pacientes`` sheet, in order."""
    groups = [h.format(i=i) for i in range(1, N_AE_SLOTS + 1) for h in AE_HEADERS.values()]
    return [*PATIENT_HEADERS.values(), *groups]


PREFERRED: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sex": {
        "female": ("Feminino", "Feminino", "F", "F", "mulher", "Fem."),
        "male": ("Masculino", "Masculino", "M", "M", "homem", "Masc."),
    },
    "yes_no": {"no": ("não", "Não", "nao", "N"), "yes": ("sim", "Sim", "S")},
    "diagnosis": {
        "female pattern hair loss": (
            "Alopecia de padrão feminino",
            "Alopecia de padrão feminino",
            "APF",
            "alopecia androgenética feminina",
        ),
        "male androgenetic alopecia": (
            "Alopecia androgenética masculina",
            "Alopecia androgenética masculina",
            "AAG masculina",
            "AGA",
        ),
        "chronic telogen effluvium": (
            "Eflúvio telógeno crónico",
            "eflúvio telógeno crônico",
            "ETC",
        ),
        "frontal fibrosing alopecia": ("Alopecia frontal fibrosante", "AFF"),
        "lichen planopilaris": ("Líquen plano pilar", "líquen plano-pilar", "LPP"),
        "alopecia areata": ("Alopecia areata", "alopecia areata", "AA", "pelada"),
        "other": ("Outro", "outra", "outros"),
    },
    "ae_term": {
        "hypertrichosis": (
            "hipertricose",
            "hipertricose",
            "Hipertricose facial",
            "hipertricosis",
            "pelos faciais",
        ),
        "lightheadedness": ("tontura", "tonturas", "vertigem", "tontura ligeira"),
        "fluid retention": (
            "retenção de líquidos",
            "retencao liquidos",
            "edema MMII",
            "edema dos membros inferiores",
        ),
        "tachycardia": ("taquicardia", "taquicardia", "palpitações"),
        "headache": ("cefaleia", "cefaléia", "dor de cabeça"),
        "periorbital edema": ("edema periorbitário", "edema periorbital", "edema palpebral"),
        "insomnia": ("insónia", "insônia", "dificuldade em dormir"),
        "initial shedding": ("eflúvio inicial", "queda inicial"),
    },
    "severity": {"mild": ("leve", "leve", "ligeira", "L"), "moderate": ("moderada", "moderado")},
    "action_taken": {
        "none": ("nenhuma", "nenhuma", "-", "nada"),
        "dose reduction": ("redução de dose", "reduzir dose", "dose reduzida"),
        "treatment discontinued": ("tratamento suspenso", "suspenso", "suspensão"),
    },
    "discontinuation_reason": {
        "adverse event": ("efeitos adversos", "efeitos adversos", "efeito adverso", "EA"),
        "lack of efficacy": ("falta de eficácia", "ineficácia", "sem melhoria"),
        "cost": ("custo", "preço"),
        "lost to follow-up": ("perda de seguimento", "perdido", "não voltou"),
        "other": ("outro", "outros", "desejo de gravidez"),
    },
    "dose": {
        "0.25 mg/day": ("0,25 mg/dia", "0,25 mg/dia", "0,25mg/d"),
        "0.5 mg/day": ("0,5 mg/dia", "0,5 mg/dia", "0,5mg/d", "0.5 mg/dia"),
        "0.5 mg 3 times a week": ("0,5 mg 3x/semana", "0,5mg 3x semana"),
        "1 mg/day": ("1 mg/dia", "1 mg/dia", "1mg/d", "1 mg"),
        "2.5 mg/day": ("2,5 mg/dia", "2,5 mg/dia", "2,5mg/d", "2.5mg"),
        "5 mg/day": ("5 mg/dia", "5 mg/dia", "5mg/d"),
    },
}
