import{n as e}from"./rolldown-runtime-WkwZ5CU-.js";import{V as t,a as n,c as r,l as i,n as a,o,r as s}from"./Status-Cfjam2fZ.js";import{o as c,r as l,t as u}from"./index-BkfBxOgz.js";var d=e(t(),1),f=o(),p=n(`
  fragment CohortFields on CohortMatchingResult {
    strategy
    dryRun
    objective
    blockingPairs
    policyVersion
    assignments {
      matchId
      mentee {
        id
        displayName
      }
      mentor {
        id
        displayName
      }
      score {
        total
      }
    }
    unmatched {
      reason
      mentee {
        id
        displayName
      }
    }
  }
`),m=n(`
  query Program($id: ID!) {
    program(id: $id) {
      id
      name
      status
      startsOn
      endsOn
      description
      mentors: enrolled(role: MENTOR) {
        id
        displayName
      }
      mentees: enrolled(role: MENTEE) {
        id
        displayName
      }
      policy {
        version
        minScore
        strategy
        proposalSlaHours
        weights {
          skills
          projects
          foundations
          maturity
          topics
          timezone
          language
          load
        }
      }
    }
  }
`),h=n(`
  mutation SetProgramStatus($id: ID!, $status: ProgramStatus!) {
    setProgramStatus(id: $id, status: $status) {
      id
      status
    }
  }
`),g=n(`
  mutation RunCohortMatching($input: CohortMatchingInput!) {
    runCohortMatching(input: $input) {
      ...CohortFields
    }
  }
`),_=n(`
  query PreviewPolicy($input: MatchingPolicyInput!, $menteeId: ID) {
    previewMatchingPolicy(input: $input, menteeId: $menteeId, first: 5) {
      current {
        mentor {
          id
          displayName
        }
        score {
          total
        }
      }
      candidate {
        mentor {
          id
          displayName
        }
        score {
          total
        }
      }
      currentCohort {
        ...CohortFields
      }
      candidateCohort {
        ...CohortFields
      }
    }
  }
`),v=n(`
  mutation SetMatchingPolicy($input: MatchingPolicyInput!) {
    setMatchingPolicy(input: $input) {
      version
    }
  }
`),y=[`DRAFT`,`OPEN`,`MATCHING`,`RUNNING`,`CLOSED`],b=[`skills`,`projects`,`foundations`,`maturity`,`topics`,`timezone`,`language`,`load`],x={NO_ALLOWED_PAIR:`no enrolled mentor is allowed`,BELOW_MINIMUM_SCORE:`every allowed mentor scores below the minimum`,MENTORS_FULL:`every suitable mentor is full`};function S(){let{id:e=``}=c(),[{data:t,fetching:n,error:o},l]=i({query:m,variables:{id:e}}),[u,d]=r(h),p=()=>l({requestPolicy:`network-only`}),g=t?.program;return n&&!t?(0,f.jsx)(s,{what:`the program`}):g?(0,f.jsxs)(`section`,{"aria-labelledby":`program-heading`,children:[(0,f.jsxs)(`h1`,{id:`program-heading`,children:[g.name,` `,(0,f.jsx)(`span`,{className:`badge state-${g.status.toLowerCase()}`,children:g.status.toLowerCase()})]}),(0,f.jsxs)(`p`,{className:`meta`,children:[g.startsOn,` to `,g.endsOn,` · `,g.mentors.length,` mentors and `,g.mentees.length,` mentees enrolled`]}),g.description&&(0,f.jsx)(`p`,{children:g.description}),(0,f.jsx)(`div`,{className:`actions`,role:`group`,"aria-label":`Move the program`,children:y.filter(e=>e!==g.status).map(e=>(0,f.jsxs)(`button`,{type:`button`,disabled:u.fetching,onClick:async()=>{await d({id:g.id,status:e}),p()},children:[`Move to `,e.toLowerCase()]},e))}),(0,f.jsx)(a,{error:u.error}),(0,f.jsx)(C,{programId:g.id,onCommitted:p}),(0,f.jsx)(T,{programId:g.id,policy:g.policy,mentees:g.mentees,onSaved:p},g.status)]}):(0,f.jsx)(a,{error:o})}function C({programId:e,onCommitted:t}){let[n,i]=(0,d.useState)(`OPTIMAL`),[o,s]=r(g),[c,l]=r(g),u=async()=>{let t=n===`OPTIMAL`?`STABLE`:`OPTIMAL`;await Promise.all([s({input:{programId:e,strategy:n,dryRun:!0}}),l({input:{programId:e,strategy:t,dryRun:!0}})])},p=async()=>{window.confirm(`Propose every assignment to its mentor and start the program? This cannot be undone.`)&&((await s({input:{programId:e,strategy:n,dryRun:!1}})).error||t())},m=o.data?.runCohortMatching,h=c.data?.runCohortMatching;return(0,f.jsxs)(`section`,{className:`card`,"aria-labelledby":`cohort-heading`,children:[(0,f.jsx)(`h2`,{id:`cohort-heading`,children:`Cohort matching`}),(0,f.jsx)(`label`,{htmlFor:`strategy`,children:`Strategy`}),(0,f.jsxs)(`select`,{id:`strategy`,value:n,onChange:e=>i(e.target.value),children:[(0,f.jsx)(`option`,{value:`OPTIMAL`,children:`Optimal (highest total score)`}),(0,f.jsx)(`option`,{value:`STABLE`,children:`Stable (no pair would rather swap)`})]}),(0,f.jsxs)(`div`,{className:`actions`,children:[(0,f.jsx)(`button`,{type:`button`,onClick:()=>void u(),disabled:o.fetching,children:`Dry run`}),(0,f.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void p(),disabled:o.fetching||!m?.dryRun,children:`Commit`})]}),(0,f.jsx)(a,{error:o.error??c.error}),m&&(0,f.jsx)(w,{result:m,compared:h})]})}function w({result:e,compared:t}){return(0,f.jsxs)(`div`,{className:`cohort`,"aria-live":`polite`,children:[(0,f.jsxs)(`p`,{className:`notice`,role:`status`,children:[e.dryRun?`Dry run`:`Committed`,` (`,e.strategy.toLowerCase(),`): `,e.assignments.length,` assigned,`,` `,e.unmatched.length,` unmatched, total score `,e.objective.toFixed(1),`, `,e.blockingPairs,` blocking pairs.`,t&&` The ${t.strategy.toLowerCase()} strategy would assign ${t.assignments.length} for a total of ${t.objective.toFixed(1)} with ${t.blockingPairs} blocking pairs.`]}),(0,f.jsxs)(`table`,{children:[(0,f.jsx)(`caption`,{children:`Assignments`}),(0,f.jsx)(`thead`,{children:(0,f.jsxs)(`tr`,{children:[(0,f.jsx)(`th`,{scope:`col`,children:`Mentee`}),(0,f.jsx)(`th`,{scope:`col`,children:`Mentor`}),(0,f.jsx)(`th`,{scope:`col`,children:`Score`})]})}),(0,f.jsx)(`tbody`,{children:e.assignments.map(e=>(0,f.jsxs)(`tr`,{children:[(0,f.jsx)(`td`,{children:e.mentee.displayName}),(0,f.jsx)(`td`,{children:e.mentor.displayName}),(0,f.jsx)(`td`,{children:e.score.total.toFixed(1)})]},e.mentee.id))})]}),e.unmatched.length>0&&(0,f.jsxs)(f.Fragment,{children:[(0,f.jsx)(`h3`,{children:`Unmatched`}),(0,f.jsx)(`ul`,{children:e.unmatched.map(e=>(0,f.jsxs)(`li`,{children:[e.mentee.displayName,`: `,x[e.reason]??e.reason.toLowerCase()]},e.mentee.id))})]})]})}function T({programId:e,policy:t,mentees:n,onSaved:o}){let[c,p]=(0,d.useState)(()=>{let{skills:e,projects:n,foundations:r,maturity:i,topics:a,timezone:o,language:s,load:c}=t.weights;return{skills:e,projects:n,foundations:r,maturity:i,topics:a,timezone:o,language:s,load:c}}),[m,h]=(0,d.useState)(String(t.minScore)),[g,y]=(0,d.useState)(n[0]?.id??``),[x,S]=(0,d.useState)(!1),C={programId:e,weights:c,minScore:Number(m),strategy:t.strategy,proposalSlaHours:t.proposalSlaHours},[T]=i({query:_,variables:{input:C,menteeId:g||null},pause:!x}),[E,D]=r(v),O=T.data?.previewMatchingPolicy;return(0,f.jsxs)(`section`,{className:`card`,"aria-labelledby":`policy-heading`,children:[(0,f.jsxs)(`h2`,{id:`policy-heading`,children:[`Matching policy (version `,t.version,`)`]}),(0,f.jsxs)(`div`,{className:`weights`,children:[b.map(e=>(0,f.jsxs)(`div`,{children:[(0,f.jsx)(`label`,{htmlFor:`weight-${e}`,children:l(u,e.toUpperCase())}),(0,f.jsx)(`input`,{id:`weight-${e}`,type:`number`,min:0,max:1,step:.05,value:c[e],onChange:t=>{p({...c,[e]:Number(t.target.value)}),S(!1)}})]},e)),(0,f.jsxs)(`div`,{children:[(0,f.jsx)(`label`,{htmlFor:`min-score`,children:`Minimum score`}),(0,f.jsx)(`input`,{id:`min-score`,type:`number`,min:0,max:100,value:m,onChange:e=>h(e.target.value)})]})]}),(0,f.jsx)(`label`,{htmlFor:`preview-mentee`,children:`Preview for mentee`}),(0,f.jsx)(`select`,{id:`preview-mentee`,value:g,onChange:e=>y(e.target.value),children:n.map(e=>(0,f.jsx)(`option`,{value:e.id,children:e.displayName},e.id))}),(0,f.jsxs)(`div`,{className:`actions`,children:[(0,f.jsx)(`button`,{type:`button`,onClick:()=>S(!0),children:`Preview`}),(0,f.jsx)(`button`,{type:`button`,className:`primary`,disabled:E.fetching,onClick:async()=>{(await D({input:C})).error||o()},children:`Save policy`})]}),(0,f.jsx)(a,{error:T.error??E.error}),E.data&&(0,f.jsxs)(`p`,{className:`notice`,role:`status`,children:[`Saved as version `,E.data.setMatchingPolicy.version,`.`]}),x&&T.fetching&&(0,f.jsx)(s,{what:`the preview`}),O&&(0,f.jsxs)(`div`,{className:`side-by-side`,children:[(0,f.jsxs)(`div`,{children:[(0,f.jsx)(`h3`,{children:`Current policy`}),(0,f.jsx)(`ol`,{children:O.current.map(e=>(0,f.jsxs)(`li`,{children:[e.mentor.displayName,` (`,e.score.total.toFixed(1),`)`]},e.mentor.id))}),O.currentCohort&&(0,f.jsx)(w,{result:O.currentCohort})]}),(0,f.jsxs)(`div`,{children:[(0,f.jsx)(`h3`,{children:`Candidate policy`}),(0,f.jsx)(`ol`,{children:O.candidate.map(e=>(0,f.jsxs)(`li`,{children:[e.mentor.displayName,` (`,e.score.total.toFixed(1),`)`]},e.mentor.id))}),O.candidateCohort&&(0,f.jsx)(w,{result:O.candidateCohort})]})]})]})}export{p as CohortFields,S as default};