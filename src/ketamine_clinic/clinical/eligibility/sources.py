"""The sources the eligibility rules cite, each named once."""

# Sources, cited by the rules below.
SPRAVATO_US = "Spravato (esketamine) US prescribing information, contraindications and warnings"
SPRAVATO_EU = "Spravato EU/UK SmPC (janssen-pi.co.uk product 32), sections 4.2-4.4"
KETALAR = "Ketalar (ketamine) US label: contraindications; CLINICAL.md section 3"
KETALAR_PK = "Ketalar (ketamine) US label, clinical pharmacology: metabolised in the liver"
APA_2017 = "Sanacora et al., JAMA Psychiatry 2017 (APA consensus on ketamine for mood disorders)"
MGH_ATRQ = "MGH-ATRQ adequacy (>= 6 weeks at >= minimum therapeutic dose); EMA accepts 4 weeks"
FEKADU = "Fekadu et al., J Clin Psychiatry 2009; scoring conventions BMC Psychiatry 2018;18:100"
