import{n as e}from"./rolldown-runtime-WkwZ5CU-.js";import{H as t,a as n,l as r,n as i,o as a,r as o,t as s,u as c}from"./Status-BRIFI5fN.js";import{c as l,i as u,n as d}from"./index-TXEEKlO4.js";var f=e(t(),1),p=a(),m=n(`
  query PeopleSearch($search: String!) {
    people(search: $search, first: 10) {
      nodes {
        id
        displayName
        email
        department
      }
    }
  }
`),h=n(`
  mutation Enroll($input: EnrollInput!) {
    enroll(input: $input) {
      id
    }
  }
`);function g({programId:e,onEnrolled:t}){let[n,a]=(0,f.useState)(``),[o,l]=(0,f.useState)(``),[u,d]=(0,f.useState)(new Map),[g,_]=(0,f.useState)(`MENTEE`),[v]=c({query:m,variables:{search:o},pause:o.length<2}),[y,b]=r(h),[x,S]=(0,f.useState)(null);return(0,p.jsxs)(`section`,{className:`card`,"aria-labelledby":`enroll-heading`,children:[(0,p.jsx)(`h2`,{id:`enroll-heading`,children:`Enroll people`}),(0,p.jsxs)(`form`,{role:`search`,onSubmit:e=>{e.preventDefault(),l(n.trim())},children:[(0,p.jsx)(`label`,{htmlFor:`people-search`,children:`Name, email or department`}),(0,p.jsx)(`input`,{id:`people-search`,type:`search`,value:n,onChange:e=>a(e.target.value)}),(0,p.jsx)(`button`,{type:`submit`,children:`Search`})]}),(0,p.jsx)(i,{error:v.error}),v.data&&v.data.people.nodes.length===0&&(0,p.jsxs)(s,{children:[`Nobody matches “`,o,`”.`]}),(0,p.jsx)(`ul`,{className:`people`,children:v.data?.people.nodes.map(e=>(0,p.jsxs)(`li`,{children:[(0,p.jsx)(`input`,{type:`checkbox`,id:`pick-${e.id}`,checked:u.has(e.id),onChange:t=>{let n=new Map(u);t.target.checked?n.set(e.id,e.displayName):n.delete(e.id),d(n)}}),(0,p.jsxs)(`label`,{htmlFor:`pick-${e.id}`,className:`inline`,children:[e.displayName,(0,p.jsxs)(`span`,{className:`meta`,children:[` `,`· `,[e.email,e.department].filter(Boolean).join(` · `)]})]})]},e.id))}),u.size>0&&(0,p.jsxs)(`form`,{onSubmit:async n=>{n.preventDefault(),(await b({input:{programId:e,personIds:[...u.keys()],role:g}})).error||(S(`Enrolled ${[...u.values()].join(`, `)} as ${g===`MENTOR`?`mentors`:`mentees`}.`),d(new Map),t())},children:[(0,p.jsxs)(`label`,{htmlFor:`enroll-role`,children:[`Enroll the `,u.size,` picked as`]}),(0,p.jsxs)(`select`,{id:`enroll-role`,value:g,onChange:e=>_(e.target.value),children:[(0,p.jsx)(`option`,{value:`MENTEE`,children:`Mentees`}),(0,p.jsx)(`option`,{value:`MENTOR`,children:`Mentors`})]}),(0,p.jsx)(`button`,{type:`submit`,className:`primary`,disabled:y.fetching,children:`Enroll`})]}),(0,p.jsx)(i,{error:y.error}),x&&(0,p.jsx)(`p`,{className:`notice`,role:`status`,children:x})]})}var _=n(`
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
`),v=n(`
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
`),y=n(`
  mutation SetProgramStatus($id: ID!, $status: ProgramStatus!) {
    setProgramStatus(id: $id, status: $status) {
      id
      status
    }
  }
`),b=n(`
  mutation RunCohortMatching($input: CohortMatchingInput!) {
    runCohortMatching(input: $input) {
      ...CohortFields
    }
  }
`),x=n(`
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
`),S=n(`
  mutation SetMatchingPolicy($input: MatchingPolicyInput!) {
    setMatchingPolicy(input: $input) {
      version
    }
  }
`),C=[`DRAFT`,`OPEN`,`MATCHING`,`RUNNING`,`CLOSED`],w=[`skills`,`projects`,`foundations`,`maturity`,`topics`,`timezone`,`language`,`load`],T={NO_ALLOWED_PAIR:`no enrolled mentor is allowed`,BELOW_MINIMUM_SCORE:`every allowed mentor scores below the minimum`,MENTORS_FULL:`every suitable mentor is full`};function E(){let{id:e=``}=l(),[{data:t,fetching:n,error:a},s]=c({query:v,variables:{id:e}}),[u,d]=r(y),f=()=>s({requestPolicy:`network-only`}),m=t?.program;return n&&!t?(0,p.jsx)(o,{what:`the program`}):m?(0,p.jsxs)(`section`,{"aria-labelledby":`program-heading`,children:[(0,p.jsxs)(`h1`,{id:`program-heading`,children:[m.name,` `,(0,p.jsx)(`span`,{className:`badge state-${m.status.toLowerCase()}`,children:m.status.toLowerCase()})]}),(0,p.jsxs)(`p`,{className:`meta`,children:[m.startsOn,` to `,m.endsOn,` · `,m.mentors.length,` mentors and `,m.mentees.length,` mentees enrolled`]}),m.description&&(0,p.jsx)(`p`,{children:m.description}),(0,p.jsxs)(`details`,{className:`history`,children:[(0,p.jsx)(`summary`,{children:`Who is enrolled`}),(0,p.jsxs)(`div`,{className:`side-by-side`,children:[(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`h2`,{children:`Mentors`}),(0,p.jsx)(`ul`,{children:m.mentors.map(e=>(0,p.jsx)(`li`,{children:e.displayName},e.id))})]}),(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`h2`,{children:`Mentees`}),(0,p.jsx)(`ul`,{children:m.mentees.map(e=>(0,p.jsx)(`li`,{children:e.displayName},e.id))})]})]})]}),(0,p.jsx)(`div`,{className:`actions`,role:`group`,"aria-label":`Move the program`,children:C.filter(e=>e!==m.status).map(e=>(0,p.jsxs)(`button`,{type:`button`,disabled:u.fetching,onClick:async()=>{await d({id:m.id,status:e}),f()},children:[`Move to `,e.toLowerCase()]},e))}),(0,p.jsx)(i,{error:u.error}),(0,p.jsx)(g,{programId:m.id,onEnrolled:f}),(0,p.jsx)(D,{programId:m.id,onCommitted:f}),(0,p.jsx)(k,{programId:m.id,policy:m.policy,mentees:m.mentees,onSaved:f},m.status)]}):(0,p.jsx)(i,{error:a})}function D({programId:e,onCommitted:t}){let[n,a]=(0,f.useState)(`OPTIMAL`),[o,s]=r(b),[c,l]=r(b),u=async()=>{let t=n===`OPTIMAL`?`STABLE`:`OPTIMAL`;await Promise.all([s({input:{programId:e,strategy:n,dryRun:!0}}),l({input:{programId:e,strategy:t,dryRun:!0}})])},d=async()=>{window.confirm(`Propose every assignment to its mentor and start the program? This cannot be undone.`)&&((await s({input:{programId:e,strategy:n,dryRun:!1}})).error||t())},m=o.data?.runCohortMatching,h=c.data?.runCohortMatching;return(0,p.jsxs)(`section`,{className:`card`,"aria-labelledby":`cohort-heading`,children:[(0,p.jsx)(`h2`,{id:`cohort-heading`,children:`Cohort matching`}),(0,p.jsx)(`label`,{htmlFor:`strategy`,children:`Strategy`}),(0,p.jsxs)(`select`,{id:`strategy`,value:n,onChange:e=>a(e.target.value),children:[(0,p.jsx)(`option`,{value:`OPTIMAL`,children:`Optimal (highest total score)`}),(0,p.jsx)(`option`,{value:`STABLE`,children:`Stable (no pair would rather swap)`})]}),(0,p.jsxs)(`div`,{className:`actions`,children:[(0,p.jsx)(`button`,{type:`button`,onClick:()=>void u(),disabled:o.fetching,children:`Dry run`}),(0,p.jsx)(`button`,{type:`button`,className:`primary`,onClick:()=>void d(),disabled:o.fetching||!m?.dryRun,children:`Commit`})]}),(0,p.jsx)(i,{error:o.error??c.error}),m&&(0,p.jsx)(O,{result:m,compared:h})]})}function O({result:e,compared:t}){return(0,p.jsxs)(`div`,{className:`cohort`,"aria-live":`polite`,children:[(0,p.jsxs)(`p`,{className:`notice`,role:`status`,children:[e.dryRun?`Dry run`:`Committed`,` (`,e.strategy.toLowerCase(),`): `,e.assignments.length,` assigned,`,` `,e.unmatched.length,` unmatched, total score `,e.objective.toFixed(1),`, `,e.blockingPairs,` blocking pairs.`,t&&` The ${t.strategy.toLowerCase()} strategy would assign ${t.assignments.length} for a total of ${t.objective.toFixed(1)} with ${t.blockingPairs} blocking pairs.`]}),(0,p.jsxs)(`table`,{children:[(0,p.jsx)(`caption`,{children:`Assignments`}),(0,p.jsx)(`thead`,{children:(0,p.jsxs)(`tr`,{children:[(0,p.jsx)(`th`,{scope:`col`,children:`Mentee`}),(0,p.jsx)(`th`,{scope:`col`,children:`Mentor`}),(0,p.jsx)(`th`,{scope:`col`,children:`Score`})]})}),(0,p.jsx)(`tbody`,{children:e.assignments.map(e=>(0,p.jsxs)(`tr`,{children:[(0,p.jsx)(`td`,{children:e.mentee.displayName}),(0,p.jsx)(`td`,{children:e.mentor.displayName}),(0,p.jsx)(`td`,{children:e.score.total.toFixed(1)})]},e.mentee.id))})]}),e.unmatched.length>0&&(0,p.jsxs)(p.Fragment,{children:[(0,p.jsx)(`h3`,{children:`Unmatched`}),(0,p.jsx)(`ul`,{children:e.unmatched.map(e=>(0,p.jsxs)(`li`,{children:[e.mentee.displayName,`: `,T[e.reason]??e.reason.toLowerCase()]},e.mentee.id))})]})]})}function k({programId:e,policy:t,mentees:n,onSaved:a}){let[s,l]=(0,f.useState)(()=>{let{skills:e,projects:n,foundations:r,maturity:i,topics:a,timezone:o,language:s,load:c}=t.weights;return{skills:e,projects:n,foundations:r,maturity:i,topics:a,timezone:o,language:s,load:c}}),[m,h]=(0,f.useState)(String(t.minScore)),[g,_]=(0,f.useState)(n[0]?.id??``),[v,y]=(0,f.useState)(!1),b={programId:e,weights:s,minScore:Number(m),strategy:t.strategy,proposalSlaHours:t.proposalSlaHours},[C]=c({query:x,variables:{input:b,menteeId:g||null},pause:!v}),[T,E]=r(S),D=C.data?.previewMatchingPolicy;return(0,p.jsxs)(`section`,{className:`card`,"aria-labelledby":`policy-heading`,children:[(0,p.jsxs)(`h2`,{id:`policy-heading`,children:[`Matching policy (version `,t.version,`)`]}),(0,p.jsxs)(`div`,{className:`weights`,children:[w.map(e=>(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`label`,{htmlFor:`weight-${e}`,children:u(d,e.toUpperCase())}),(0,p.jsx)(`input`,{id:`weight-${e}`,type:`number`,min:0,max:1,step:.05,value:s[e],onChange:t=>{l({...s,[e]:Number(t.target.value)}),y(!1)}})]},e)),(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`label`,{htmlFor:`min-score`,children:`Minimum score`}),(0,p.jsx)(`input`,{id:`min-score`,type:`number`,min:0,max:100,value:m,onChange:e=>h(e.target.value)})]})]}),(0,p.jsx)(`label`,{htmlFor:`preview-mentee`,children:`Preview for mentee`}),(0,p.jsx)(`select`,{id:`preview-mentee`,value:g,onChange:e=>_(e.target.value),children:n.map(e=>(0,p.jsx)(`option`,{value:e.id,children:e.displayName},e.id))}),(0,p.jsxs)(`div`,{className:`actions`,children:[(0,p.jsx)(`button`,{type:`button`,onClick:()=>y(!0),children:`Preview`}),(0,p.jsx)(`button`,{type:`button`,className:`primary`,disabled:T.fetching,onClick:async()=>{(await E({input:b})).error||a()},children:`Save policy`})]}),(0,p.jsx)(i,{error:C.error??T.error}),T.data&&(0,p.jsxs)(`p`,{className:`notice`,role:`status`,children:[`Saved as version `,T.data.setMatchingPolicy.version,`.`]}),v&&C.fetching&&(0,p.jsx)(o,{what:`the preview`}),D&&(0,p.jsxs)(`div`,{className:`side-by-side`,children:[(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`h3`,{children:`Current policy`}),(0,p.jsx)(`ol`,{children:D.current.map(e=>(0,p.jsxs)(`li`,{children:[e.mentor.displayName,` (`,e.score.total.toFixed(1),`)`]},e.mentor.id))}),D.currentCohort&&(0,p.jsx)(O,{result:D.currentCohort})]}),(0,p.jsxs)(`div`,{children:[(0,p.jsx)(`h3`,{children:`Candidate policy`}),(0,p.jsx)(`ol`,{children:D.candidate.map(e=>(0,p.jsxs)(`li`,{children:[e.mentor.displayName,` (`,e.score.total.toFixed(1),`)`]},e.mentor.id))}),D.candidateCohort&&(0,p.jsx)(O,{result:D.candidateCohort})]})]})]})}export{_ as CohortFields,E as default};