import { DocumentationRubricItem } from './vendor-template.types';

/** What differs per vendor in the rubric: who to ask for a new secret, who runs the gates. */
export interface RubricWording {
  readonly rotationProcedure: string;
  readonly parcsVendor: string;
}

/**
 * The items an installation's `documentation` object should hold. Required items are what an
 * on-call engineer needs during an outage or a rotation; they drive the completeness metric.
 * Optional items are prompts and never lower the score.
 */
export function buildDocumentationRubric(wording: RubricWording): readonly DocumentationRubricItem[] {
  return [
    {
      key: 'dataFlows',
      title: 'Data flows',
      description:
        'The data flows this installation runs (pre-filled from the template): direction, data, ' +
        'personal data or not, trigger, frequency and how the receiving side processes it.',
      required: true,
    },
    {
      key: 'runbookUrl',
      title: 'Runbook URL',
      description: 'Link to the runbook for failed verifications, degraded status and credential rotation.',
      required: true,
    },
    {
      key: 'escalationContact',
      title: 'Escalation contact',
      description: 'Who to page when the integration fails (on-call rotation, channel or e-mail).',
      required: true,
    },
    {
      key: 'rotationProcedure',
      title: 'Credential rotation procedure',
      description: wording.rotationProcedure,
      required: true,
    },
    {
      key: 'parcsVendor',
      title: 'PARCS vendor',
      description: wording.parcsVendor,
      required: true,
    },
    {
      key: 'partnerContact',
      title: 'Partner contact',
      description: "The partner's integration or account manager for this installation.",
      required: false,
    },
    {
      key: 'notes',
      title: 'Notes',
      description: 'Anything else the next engineer should know (quirks, agreed limits, history).',
      required: false,
    },
  ];
}
